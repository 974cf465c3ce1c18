namespace AgentAccessBroker.Brokering;

/// <summary>What one run of <see cref="RevocationRecheck"/> found.</summary>
/// <param name="StillRevoked">Leases verified still revoked.</param>
/// <param name="AccessReturned">Leases whose access was found back and that were revoked again (or are being retried).</param>
/// <param name="Unverified">Leases whose verification failed (the target did not answer); tried again on the next run.</param>
public sealed record RecheckSummary(int StillRevoked, int AccessReturned, int Unverified);
