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
    /// <remarks>
    /// An attempt mostly waits (on the target's round trips and the store's commit), so a wider lane revokes more per
    /// second: on a 2-core host, 2,000 leases due at a restart went at 142/s with 4, 238/s with 8 and 244/s with 16
    /// (docs/PERFORMANCE.md §4). A stuck target still holds at most this many attempts, and only its own lane.
    /// </remarks>
    public int ConcurrencyPerTarget { get; init; } = 8;

    /// <summary>The deadline of one attempt (revoke and verify). Past it the lease turns <c>revocation_failed</c>.</summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How often a target whose revocation failed is probed until it answers.</summary>
    public TimeSpan ProbeInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The deadline of one probe.</summary>
    public TimeSpan ProbeTimeout { get; init; } = TimeSpan.FromSeconds(5);
}
