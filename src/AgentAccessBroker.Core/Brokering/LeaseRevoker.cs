using AgentAccessBroker.Audit;
using AgentAccessBroker.Credentials;
using AgentAccessBroker.Domain;
using AgentAccessBroker.Policy;
using AgentAccessBroker.Storage;
using Microsoft.Extensions.Logging;

namespace AgentAccessBroker.Brokering;

/// <summary>
/// Revokes one lease and proves it: revoke, then verify, then mark revoked. Failures are never dropped: the lease turns
/// <see cref="LeaseState.RevocationFailed"/> with its last error, an audit event, and a retry with exponential backoff.
/// </summary>
public sealed partial class LeaseRevoker(
    IBrokerStore store,
    IResourceLock locks,
    IPolicySource policies,
    CredentialProviderRegistry providers,
    IRevocationScheduler scheduler,
    TimeProvider time,
    ILogger<LeaseRevoker> logger)
{
    private static readonly LeaseState[] Revocable = [LeaseState.Active, LeaseState.Minting, LeaseState.Revoking, LeaseState.RevocationFailed];

    /// <summary>The first retry waits this long; each further failure doubles it up to <see cref="MaxBackoff"/>.</summary>
    public static TimeSpan FirstBackoff { get; } = TimeSpan.FromSeconds(5);

    public static TimeSpan MaxBackoff { get; } = TimeSpan.FromMinutes(10);

    /// <param name="onlyIfDue">For scheduler triggers: do nothing unless the lease has ended or a retry is due.</param>
    public async Task<RevocationOutcome> RevokeAsync(string leaseId, string actor, string reason, bool onlyIfDue, CancellationToken cancellationToken)
    {
        // One revocation of a lease at a time, on every node: after a restart the misfired trigger and the start-up
        // sweep both reach for the same lease, and two interleaved attempts could leave a revoked lease marked failed.
        await using var held = await locks.AcquireAsync("lease:" + leaseId, cancellationToken);
        var lease = await store.GetLeaseAsync(leaseId, cancellationToken);
        if (lease is null || !lease.IsLive)
        {
            return RevocationOutcome.AlreadyDone;
        }

        var now = time.GetUtcNow();
        if (onlyIfDue && !IsDue(lease, now))
        {
            return RevocationOutcome.NotDue;
        }

        if (!await store.TransitionLeaseAsync(leaseId, Revocable, new LeaseUpdate(LeaseState.Revoking),
                [AuditEntries.Lease(AuditEventType.RevocationRequested, actor, lease, reason)], cancellationToken))
        {
            return RevocationOutcome.AlreadyDone;
        }

        var (snapshot, data) = TargetSnapshot.Detach(lease.RevocationData);
        var target = snapshot ?? policies.Current.FindTarget(lease.Target)?.Settings;
        try
        {
            if (target is null)
            {
                throw new InvalidOperationException($"Lease has no target settings and target '{lease.Target}' is not in the policy.");
            }

            var provider = providers.Get(lease.Provider);
            var revocation = new RevocationRequest(lease.Id, target, data, lease.ExpiresAt, now);
            await provider.RevokeAsync(revocation, cancellationToken);
            var verification = await provider.VerifyAsync(revocation, cancellationToken);
            if (!verification.Revoked)
            {
                throw new InvalidOperationException("Verification after revoke found the access still present: " + verification.Evidence);
            }

            var done = time.GetUtcNow();
            var revoked = lease with { State = LeaseState.Revoked };
            await store.TransitionLeaseAsync(leaseId, [LeaseState.Revoking], new LeaseUpdate(LeaseState.Revoked, ClearLastError: true, RevokedAt: done, VerifiedAt: done),
                [AuditEntries.Lease(AuditEventType.RevocationDone, actor, revoked, reason), AuditEntries.Lease(AuditEventType.RevocationVerified, "broker", revoked, verification.Evidence)],
                CancellationToken.None);
            LogRevoked(logger, leaseId, lease.Provider, reason);
            return RevocationOutcome.Revoked;
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var attempts = lease.RevocationAttempts + 1;
            var next = time.GetUtcNow() + Backoff(attempts);
            var error = Describe(exception);
            await store.TransitionLeaseAsync(leaseId, [LeaseState.Revoking],
                new LeaseUpdate(LeaseState.RevocationFailed, RevocationAttempts: attempts, LastError: error, NextAttemptAt: next),
                [AuditEntries.Lease(AuditEventType.RevocationFailed, actor, lease with { State = LeaseState.RevocationFailed, RevocationAttempts = attempts },
                    $"attempt {attempts} failed: {error}; next attempt at {next:O}")],
                CancellationToken.None);
            await scheduler.ScheduleLeaseRevocationAsync(leaseId, next, CancellationToken.None);
            LogRevocationFailed(logger, exception, leaseId, attempts, next);
            return RevocationOutcome.Failed;
        }
    }

    /// <summary>
    /// Revokes every live lease <paramref name="query"/> selects (its states and limit are ignored), page by page in
    /// creation order, however many there are. Returns how many were revoked now and how many failed (and are retried).
    /// </summary>
    public async Task<(int Revoked, int Failed)> RevokeAllAsync(LeaseQuery query, string actor, string reason, CancellationToken cancellationToken)
    {
        const int Page = 500;
        int revoked = 0, failed = 0;
        string? after = null;
        while (true)
        {
            var page = await store.ListLeasesAsync(query with { States = Revocable, Limit = Page, After = after }, cancellationToken);
            foreach (var lease in page)
            {
                var outcome = await RevokeAsync(lease.Id, actor, reason, onlyIfDue: false, cancellationToken);
                revoked += outcome == RevocationOutcome.Revoked ? 1 : 0;
                failed += outcome == RevocationOutcome.Failed ? 1 : 0;
            }

            if (page.Count < Page)
            {
                return (revoked, failed);
            }

            after = ListCursor.Of(page[^1].CreatedAt, page[^1].Id);
        }
    }

    public static TimeSpan Backoff(int attempts)
    {
        var seconds = FirstBackoff.TotalSeconds * Math.Pow(2, Math.Min(attempts - 1, 20));
        return TimeSpan.FromSeconds(Math.Min(seconds, MaxBackoff.TotalSeconds));
    }

    private static bool IsDue(Lease lease, DateTimeOffset now) => lease.DueAt <= now || lease.State switch
    {
        LeaseState.Active => lease.ExpiresAt <= now,
        LeaseState.RevocationFailed or LeaseState.Revoking => lease.NextAttemptAt is null || lease.NextAttemptAt <= now,
        _ => true,
    };

    /// <summary>What is recorded on the lease: the provider's safe message, never a stack trace.</summary>
    private static string Describe(Exception exception)
    {
        var message = exception is CredentialRequestException or InvalidOperationException or BrokerError
            ? exception.Message
            : $"{exception.GetType().Name}: {exception.Message}";
        return message.Length > 500 ? message[..500] : message;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Revoked and verified lease {LeaseId} ({Provider}): {Reason}")]
    private static partial void LogRevoked(ILogger logger, string leaseId, string provider, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Revoking lease {LeaseId} failed (attempt {Attempts}); retrying at {NextAttempt}")]
    private static partial void LogRevocationFailed(ILogger logger, Exception exception, string leaseId, int attempts, DateTimeOffset nextAttempt);
}
