namespace AgentAccessBroker.Connectors.Aws.Iam;

/// <summary>The IAM error codes the connector reacts to; everything else is <see cref="Other"/>.</summary>
internal enum IamErrorCode
{
    Other = 0,
    NoSuchEntity,
    LimitExceeded,
    MalformedPolicyDocument,
    UnmodifiableEntity,
    InvalidInput,
    AccessDenied,
    InvalidClientTokenId,
    SignatureDoesNotMatch,
    ExpiredToken,
    Throttling,
    ServiceFailure,
}
