namespace AgentAccessBroker.Connectors.Aws.Tests.Fakes;

/// <summary>An STS session the fake issued.</summary>
internal sealed record FakeSession(
    string AccessKeyId,
    string SecretAccessKey,
    string SessionToken,
    FakeRole Role,
    string SessionName,
    string AssumedRoleId,
    DateTimeOffset IssuedAt,
    DateTimeOffset Expiration,
    string? SessionPolicy);
