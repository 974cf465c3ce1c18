namespace AgentAccessBroker.Credentials;

/// <summary>What revoke and verify get: the persisted lease facts and nothing else.</summary>
/// <param name="ExpiresAt">The credential's original end; providers may prune deny entries after it.</param>
public sealed record RevocationRequest(
    string LeaseId,
    TargetSettings Target,
    RevocationData Data,
    DateTimeOffset ExpiresAt,
    DateTimeOffset Now);
