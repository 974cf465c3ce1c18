using AgentAccessBroker.Domain;
using AgentAccessBroker.Storage;
using Microsoft.Extensions.Logging;

namespace AgentAccessBroker.Brokering;

/// <summary>
/// Reconciliation: revokes every lease the store says is due (ended, failed and due for retry, or stuck mid-mint after a
/// crash) and expires overdue approvals, whatever happened to their triggers. Runs at start-up and periodically.
/// </summary>
public sealed partial class RevocationSweep(IBrokerStore store, LeaseRevoker revoker, ApprovalDesk desk, TimeProvider time, ILogger<RevocationSweep> logger)
{
    /// <summary>A lease still minting after this long was interrupted by a crash.</summary>
    public static TimeSpan MintingStaleAfter { get; } = TimeSpan.FromMinutes(5);

    public async Task<(int Revoked, int Failed, int Expired)> RunAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        int revoked = 0, failed = 0, expired = 0;
        var due = await store.ListDueLeasesAsync(now, now - MintingStaleAfter, 500, cancellationToken);
        // All at once: the revoker bounds the attempts per target, so leases due together on one target run in a
        // parallel batch of that size, and a slow target does not hold up the others.
        var outcomes = await Task.WhenAll(due.Select(lease =>
        {
            var reason = lease.State == LeaseState.Minting ? "rollback of an interrupted mint" : lease.State == LeaseState.Active ? "lease ended" : "retry after failure";
            return revoker.RevokeAsync(lease.Id, "sweep", reason, onlyIfDue: false, cancellationToken);
        }));
        revoked += outcomes.Count(o => o == RevocationOutcome.Revoked);
        failed += outcomes.Count(o => o == RevocationOutcome.Failed);

        foreach (var pending in await store.ListRequestsAsync(new RequestQuery(Status: RequestStatus.Pending), cancellationToken))
        {
            expired += await desk.ExpireAsync(pending.Id, cancellationToken) ? 1 : 0;
        }

        if (revoked + failed + expired > 0)
        {
            LogSwept(logger, revoked, failed, expired);
        }

        return (revoked, failed, expired);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Reconciliation sweep: {Revoked} leases revoked, {Failed} failed (will retry), {Expired} approvals expired")]
    private static partial void LogSwept(ILogger logger, int revoked, int failed, int expired);
}
