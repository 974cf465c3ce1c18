using AgentAccessBroker.Domain;
using AgentAccessBroker.Storage;
using Microsoft.Extensions.Logging;

namespace AgentAccessBroker.Brokering;

/// <summary>
/// Reconciliation: revokes every lease the store says is due (ended, failed and due for retry, or stuck mid-mint after a
/// crash) and expires overdue approvals, whatever happened to their triggers. Runs at start-up and periodically.
/// </summary>
public sealed partial class RevocationSweep(
    IBrokerStore store, LeaseRevoker revoker, ApprovalDesk desk, TaskLifecycle tasks, TimeProvider time, ILogger<RevocationSweep> logger)
{
    /// <summary>
    /// A lease still minting after this long was interrupted by a crash: the issuer cancels any mint after
    /// <see cref="CredentialIssuer.MintTimeout"/>, so none can still be in progress.
    /// </summary>
    public static TimeSpan MintingStaleAfter { get; } = TimeSpan.FromSeconds(60);

    private const int Page = 500;

    public async Task<(int Revoked, int Failed, int Expired)> RunAsync(CancellationToken cancellationToken)
    {
        int revoked = 0, failed = 0, expired = 0;

        // Overdue tasks end first (durably marking their leases due), so their leases are revoked in this same run.
        IReadOnlyList<BrokerTask> overdue;
        do
        {
            overdue = await store.ListOverdueTasksAsync(time.GetUtcNow(), Page, cancellationToken);
            foreach (var task in overdue)
            {
                await tasks.EndAsync(task.Id, TaskState.Expired, "sweep", "task deadline reached", cancellationToken);
            }
        }
        while (overdue.Count == Page);

        // Page until nothing new is due: a revoked lease leaves the set, a failed one waits for its next attempt.
        var tried = new HashSet<string>(StringComparer.Ordinal);
        while (true)
        {
            var now = time.GetUtcNow();
            var due = (await store.ListDueLeasesAsync(now, now - MintingStaleAfter, Page, cancellationToken)).Where(l => tried.Add(l.Id)).ToList();
            if (due.Count == 0)
            {
                break;
            }

            // The whole page at once: the revoker bounds the attempts per target, so leases due together on one target
            // run in a parallel batch of that size, and a slow target does not hold up the others.
            var outcomes = await Task.WhenAll(due.Select(lease =>
            {
                var reason = lease.DueAt is not null && lease.State is LeaseState.Active or LeaseState.Minting ? "cut off (task ended, agent or task locked or disabled)"
                    : lease.State == LeaseState.Minting ? "rollback of an interrupted mint"
                    : lease.State == LeaseState.Active ? "lease ended"
                    : "retry after failure";
                return revoker.RevokeAsync(lease.Id, "sweep", reason, onlyIfDue: false, cancellationToken);
            }));
            revoked += outcomes.Count(o => o == RevocationOutcome.Revoked);
            failed += outcomes.Count(o => o == RevocationOutcome.Failed);
        }

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

    /// <summary>
    /// Retries every lease whose revocation attempt ran past its deadline without recording an outcome: the node that
    /// ran it stopped during the attempt (an attempt that merely runs late records its own failure at the deadline, and
    /// holds the lease's lock until then). The attempt's deadline is stored on the lease (<see cref="Lease.NextAttemptAt"/>
    /// while <see cref="LeaseState.Revoking"/>), so any node finds it, cheaply: only running attempts are in that state.
    /// Returns how many were revoked now.
    /// </summary>
    public async Task<int> RetryOverdueAttemptsAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var overdue = (await store.ListLeasesAsync(new LeaseQuery(States: [LeaseState.Revoking], Limit: Page), cancellationToken))
            .Where(l => l.NextAttemptAt is { } deadline && deadline <= now)
            .ToList();
        if (overdue.Count == 0)
        {
            return 0;
        }

        // onlyIfDue: a lease whose attempt recorded its outcome meanwhile (or is retried by another node) is left alone.
        var outcomes = await Task.WhenAll(overdue.Select(lease =>
            revoker.RevokeAsync(lease.Id, "sweep", "retry: the attempt ran past its deadline without an outcome (its node stopped)", onlyIfDue: true, cancellationToken)));
        var revoked = outcomes.Count(o => o == RevocationOutcome.Revoked);
        LogOverdueAttempts(logger, overdue.Count, revoked);
        return revoked;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} revocation attempts ran past their deadline without an outcome; retried them, {Revoked} revoked")]
    private static partial void LogOverdueAttempts(ILogger logger, int count, int revoked);

    [LoggerMessage(Level = LogLevel.Information, Message = "Reconciliation sweep: {Revoked} leases revoked, {Failed} failed (will retry), {Expired} approvals expired")]
    private static partial void LogSwept(ILogger logger, int revoked, int failed, int expired);
}
