namespace AgentAccessBroker.Connectors.Aws.Tests.Fakes;

/// <summary>The parameters of one accepted AssumeRole call, for assertions.</summary>
internal sealed record AssumeRoleCall(
    string RoleArn,
    string RoleSessionName,
    int DurationSeconds,
    string? Policy,
    string? SourceIdentity,
    string? ExternalId,
    IReadOnlyDictionary<string, string> Tags,
    IReadOnlyList<string> TransitiveTagKeys);
