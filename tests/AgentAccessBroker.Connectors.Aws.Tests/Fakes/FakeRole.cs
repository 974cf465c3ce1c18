namespace AgentAccessBroker.Connectors.Aws.Tests.Fakes;

/// <summary>An IAM role in the fake: unique id, limits, trust requirements and inline policies.</summary>
internal sealed class FakeRole(string accountId, string name, string roleId, TimeSpan maxSessionDuration)
{
    public string Name { get; } = name;

    public string RoleId { get; } = roleId;

    public string Arn { get; } = $"arn:aws:iam::{accountId}:role/{name}";

    public TimeSpan MaxSessionDuration { get; } = maxSessionDuration;

    /// <summary>When set, AssumeRole must pass exactly this ExternalId (the trust policy's sts:ExternalId condition).</summary>
    public string? RequiredExternalId { get; init; }

    /// <summary>Action patterns the role's attached permissions allow (IAM globs).</summary>
    public IReadOnlyList<string> AllowedActions { get; init; } = ["*"];

    /// <summary>Inline policies by name, as stored (decoded JSON text).</summary>
    public Dictionary<string, string> InlinePolicies { get; } = new(StringComparer.Ordinal);
}
