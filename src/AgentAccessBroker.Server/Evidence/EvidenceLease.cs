namespace AgentAccessBroker.Server.Evidence;

/// <summary>A lease (a minted credential) and its revocation, as its audit events describe them.</summary>
public sealed class EvidenceLease(string id)
{
    public string Id { get; } = id;

    public string? RequestId { get; internal set; }

    public string? TaskId { get; internal set; }

    public string? AgentId { get; internal set; }

    public string? Target { get; internal set; }

    public string? Provider { get; internal set; }

    public IReadOnlyList<string> Resources { get; internal set; } = [];

    public IReadOnlyList<string> Actions { get; internal set; } = [];

    public DateTimeOffset? PlannedAt { get; internal set; }

    public DateTimeOffset? MintedAt { get; internal set; }

    public DateTimeOffset? ExpiresAt { get; internal set; }

    public string? MintDetail { get; internal set; }

    public string? MintFailure { get; internal set; }

    public DateTimeOffset? MintFailedAt { get; internal set; }

    /// <summary>When the lease was marked due early (its task ended, its principal was cut off, a lock).</summary>
    public DateTimeOffset? MarkedDueAt { get; internal set; }

    public DateTimeOffset? RevocationRequestedAt { get; internal set; }

    public string? RevocationRequestedBy { get; internal set; }

    public string? RevocationReason { get; internal set; }

    public List<EvidenceRevocationFailure> RevocationFailures { get; } = [];

    public List<string> Fallbacks { get; } = [];

    public DateTimeOffset? RevokedAt { get; internal set; }

    public DateTimeOffset? VerifiedAt { get; internal set; }

    /// <summary>What the provider's check after revocation found (how the revocation was verified).</summary>
    public string? Verification { get; internal set; }

    /// <summary>When access had to end: the lease's expiry, or its task's end, or when it was marked due, whichever came first.</summary>
    public DateTimeOffset? EndAt { get; internal set; }

    /// <summary>Verified revoked later than <see cref="EndAt"/> plus the grace, or not revoked although that time has passed.</summary>
    public bool PastEnd { get; internal set; }

    /// <summary>From its task's end (or the lock or principal cut-off that marked it due) to the verified revocation, for leases still live then.</summary>
    public TimeSpan? TaskEndToRevocation { get; internal set; }

    public bool WasMinted => MintedAt is not null;
}
