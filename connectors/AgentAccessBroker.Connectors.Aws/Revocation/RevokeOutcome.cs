namespace AgentAccessBroker.Connectors.Aws.Revocation;

/// <summary>What one revocation did, for logging and the fallback report.</summary>
/// <param name="FallbackReason">Why the role-wide fallback was needed (only for <see cref="RevokeOutcomeKind.RoleWideFallback"/>).</param>
internal sealed record RevokeOutcome(RevokeOutcomeKind Kind, int ListedCount, int PrunedCount, DateTimeOffset? IssuedBefore, string? FallbackReason);
