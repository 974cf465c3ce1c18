namespace AgentAccessBroker.Connectors.Aws.Iam;

/// <summary>Where IAM is reached and which region signs for it (IAM is global: us-east-1 in the commercial partition).</summary>
internal sealed record IamEndpoint(Uri Url, string SigningRegion);
