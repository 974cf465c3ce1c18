namespace AgentAccessBroker.Brokering;

/// <summary>
/// How revocation work is partitioned per target, so that a slow or failing target uses a bounded share of the broker:
/// at most <see cref="ConcurrencyPerTarget"/> attempts on one target at a time, each cut off after
/// <see cref="AttemptTimeout"/>, and a failing target probed every <see cref="ProbeInterval"/> so that its due
/// revocations are retried as soon as it answers again instead of after each lease's backoff.
/// </summary>
public sealed record RevocationLaneOptions
{
    /// <summary>Attempts running at once against one target. Others for that target wait; other targets do not.</summary>
    public int ConcurrencyPerTarget { get; init; } = 4;

    /// <summary>The deadline of one attempt (revoke and verify). Past it the lease turns <c>revocation_failed</c>.</summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How often a target whose revocation failed is probed until it answers.</summary>
    public TimeSpan ProbeInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The deadline of one probe.</summary>
    public TimeSpan ProbeTimeout { get; init; } = TimeSpan.FromSeconds(5);
}
