namespace AgentAccessBroker.Domain;

/// <summary>What an agent asked for, and why, in one task.</summary>
/// <param name="Target">Name of a target declared in the policy.</param>
/// <param name="Resources">Connector-specific resource names (ARNs, Azure scopes, <c>db.schema.table</c>).</param>
/// <param name="Actions">Connector-specific actions (IAM actions, Azure role names, SQL privileges).</param>
/// <param name="Purpose">The agent's stated purpose. Untrusted text: it may raise risk, never lower it.</param>
public sealed record AccessRequest(
    string Id,
    string AgentId,
    string TaskId,
    string Target,
    IReadOnlyList<string> Resources,
    IReadOnlyList<string> Actions,
    string Purpose,
    TimeSpan RequestedDuration,
    DateTimeOffset CreatedAt,
    RequestStatus Status,
    Decisions.Assessment? Assessment,
    TimeSpan? GrantedDuration,
    DateTimeOffset? DecidedAt,
    string? LeaseId);
