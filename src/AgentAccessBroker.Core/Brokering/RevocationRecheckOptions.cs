namespace AgentAccessBroker.Brokering;

/// <summary>How revoked leases whose credential is still valid are re-verified (see <see cref="RevocationRecheck"/>).</summary>
public sealed record RevocationRecheckOptions
{
    /// <summary>The least time between two verifications of one revoked lease.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The deadline of one verification; past it the lease is left for the next run.</summary>
    public TimeSpan VerifyTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Verifications running at once in one run.</summary>
    public int Concurrency { get; init; } = 4;
}
