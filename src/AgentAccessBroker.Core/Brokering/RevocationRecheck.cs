using AgentAccessBroker.Audit;
using AgentAccessBroker.Credentials;
using AgentAccessBroker.Domain;
using AgentAccessBroker.Policy;
using AgentAccessBroker.Storage;
using Microsoft.Extensions.Logging;

namespace AgentAccessBroker.Brokering;

/// <summary>
/// Re-verifies, periodically and until their credential expires, revoked leases whose credential outlives the
/// revocation (<see cref="IRevokedCredentialLifetime"/>): an AWS STS session stays valid until its expiry and is only
/// denied, so a late write that drops its deny entry (from this node, another node, or one that crashed while the write
/// could still land) gives the access back. When a verification finds the access back, the lease turns
/// <see cref="LeaseState.RevocationFailed"/> with a <c>revocation.access_returned</c> audit event and is revoked again
/// at once through <see cref="LeaseRevoker"/> (its lane, lock, retries and health probe); its last error then says what
/// happened. Re-verification keeps going after that until the credential expires. A mint rolled back after it reached
/// outside (a timed-out AWS AssumeRole may still have issued a session, which the rollback denied) is watched the same
/// way as a <see cref="LeaseState.MintFailed"/> lease, until the longest its possible credential could live; if its
/// access comes back it is revoked like any lease and ends <see cref="LeaseState.Revoked"/>.
/// </summary>
/// <remarks>
/// Everything is read from the lease rows (<see cref="Lease.UsableUntil"/>, <see cref="Lease.VerifiedAt"/>), so any
/// node may run it and a crash loses nothing: the host runs <see cref="RunAsync"/> from a clustered scheduler job.
/// </remarks>
public sealed partial class RevocationRecheck(
    IBrokerStore store,
    IResourceLock locks,
    IPolicySource policies,
    CredentialProviderRegistry providers,
    LeaseRevoker revoker,
    TimeProvider time,
    ILogger<RevocationRecheck> logger,
    RevocationRecheckOptions? options = null)
{
    public const string Actor = "broker-recheck";
    private const int Page = 200;

    private readonly RevocationRecheckOptions _options = options ?? new RevocationRecheckOptions();

    /// <summary>
    /// Until when a just-revoked lease must be re-verified: the provider's answer when it is an
    /// <see cref="IRevokedCredentialLifetime"/> and the moment is still ahead, else null (nothing to watch).
    /// </summary>
    public static DateTimeOffset? UsableUntil(ICredentialProvider provider, RevocationRequest request, DateTimeOffset now) =>
        provider is IRevokedCredentialLifetime lifetime && lifetime.UsableUntil(request) is { } until && until > now ? until : null;

    /// <summary>Verifies every revoked lease that is due, page by page, and revokes again where the access came back.</summary>
    public async Task<RecheckSummary> RunAsync(CancellationToken cancellationToken)
    {
        int stillRevoked = 0, returned = 0, unverified = 0;
        var tried = new HashSet<string>(StringComparer.Ordinal);
        while (true)
        {
            var now = time.GetUtcNow();
            var due = (await store.ListRechecksDueAsync(now, now - _options.Interval, Page, cancellationToken)).Where(l => tried.Add(l.Id)).ToList();
            if (due.Count == 0)
            {
                break;
            }

            var outcomes = new List<Outcome>();
            await Parallel.ForEachAsync(
                due,
                new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, _options.Concurrency), CancellationToken = cancellationToken },
                async (lease, ct) =>
                {
                    var outcome = await RecheckAsync(lease.Id, ct);
                    lock (outcomes)
                    {
                        outcomes.Add(outcome);
                    }
                });
            stillRevoked += outcomes.Count(o => o == Outcome.StillRevoked);
            returned += outcomes.Count(o => o == Outcome.AccessReturned);
            unverified += outcomes.Count(o => o == Outcome.Unverified);
        }

        if (returned + unverified > 0)
        {
            LogRecheckRun(logger, stillRevoked, returned, unverified);
        }

        return new RecheckSummary(stillRevoked, returned, unverified);
    }

    /// <summary>Verifies one revoked lease if it is (still) due, and revokes it again if its access came back.</summary>
    public async Task<RecheckSummary> RecheckLeaseAsync(string leaseId, CancellationToken cancellationToken) =>
        await RecheckAsync(leaseId, cancellationToken) switch
        {
            Outcome.StillRevoked => new RecheckSummary(1, 0, 0),
            Outcome.AccessReturned => new RecheckSummary(0, 1, 0),
            Outcome.Unverified => new RecheckSummary(0, 0, 1),
            _ => new RecheckSummary(0, 0, 0),
        };

    private async Task<Outcome> RecheckAsync(string leaseId, CancellationToken cancellationToken)
    {
        string found;
        DateTimeOffset foundAt;
        // Under the lease's lock, as every revocation runs: a revocation of the same lease (a retry, another node's
        // recheck) cannot interleave with this verification and the state change that follows it.
        await using (await locks.AcquireAsync("lease:" + leaseId, cancellationToken))
        {
            var lease = await store.GetLeaseAsync(leaseId, cancellationToken);
            foundAt = time.GetUtcNow();
            if (lease is not { State: LeaseState.Revoked or LeaseState.MintFailed, UsableUntil: { } until } || until <= foundAt
                || lease.VerifiedAt >= foundAt - _options.Interval)
            {
                return Outcome.Skipped;
            }

            // A revoked lease, or a rolled-back mint that reached outside (the issuer records UsableUntil only then).
            LeaseState[] ended = [lease.State];
            VerificationResult? verification = null;
            DateTimeOffset watched;
            try
            {
                var (snapshot, data) = TargetSnapshot.Detach(lease.RevocationData);
                var target = snapshot ?? policies.Current.FindTarget(lease.Target)?.Settings
                    ?? throw new InvalidOperationException($"Lease has no target settings and target '{lease.Target}' is not in the policy.");
                var provider = providers.Get(lease.Provider);
                var request = new RevocationRequest(lease.Id, target, data, lease.ExpiresAt, foundAt);
                watched = Narrow(provider, request, until, foundAt);
                if (watched > foundAt)
                {
                    using var timeout = new CancellationTokenSource(_options.VerifyTimeout, time);
                    using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
                    verification = await provider.VerifyAsync(request, linked.Token);
                }
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // Nothing is written: the lease stays due and the next run verifies it again.
                LogUnverified(logger, leaseId, lease.Target, exception.GetType().Name);
                return Outcome.Unverified;
            }

            if (verification is null)
            {
                // The provider says nothing is left to watch (its revocation destroyed the credential, or it expired
                // already): the lease leaves the re-verification for good, without a call outside.
                await store.TransitionLeaseAsync(leaseId, ended, new LeaseUpdate(lease.State, UsableUntil: foundAt), cancellationToken);
                return Outcome.Skipped;
            }

            if (verification.Revoked)
            {
                await store.TransitionLeaseAsync(leaseId, ended,
                    new LeaseUpdate(lease.State, VerifiedAt: foundAt, UsableUntil: watched < until ? watched : null), cancellationToken);
                return Outcome.StillRevoked;
            }

            found = $"re-verification at {foundAt:O} found the access back ({verification.Evidence})";
            var error = Truncate(found + "; revoking again");
            await store.TransitionLeaseAsync(leaseId, ended,
                new LeaseUpdate(LeaseState.RevocationFailed, LastError: error, NextAttemptAt: foundAt),
                [AuditEntries.Lease(AuditEventType.RevocationAccessReturned, Actor, lease with { State = LeaseState.RevocationFailed }, error)],
                CancellationToken.None);
            LogAccessReturned(logger, leaseId, lease.Target, verification.Evidence);
        }

        // Outside the lease's lock, which the revoker takes itself. A failure leaves the lease revocation_failed with
        // the revoker's error, retried with backoff and by the target's health probe like any failed revocation.
        var outcome = await revoker.RevokeAsync(leaseId, Actor, "re-verification found the access back", onlyIfDue: false, CancellationToken.None);
        if (outcome is RevocationOutcome.Revoked or RevocationOutcome.AlreadyDone)
        {
            // The revoker clears the last error on success; put back what happened, for `aab leases` and the console.
            var again = await store.GetLeaseAsync(leaseId, CancellationToken.None);
            if (again is { State: LeaseState.Revoked })
            {
                await store.TransitionLeaseAsync(leaseId, [LeaseState.Revoked],
                    new LeaseUpdate(LeaseState.Revoked, LastError: Truncate($"{found}; revoked again and verified at {again.VerifiedAt ?? time.GetUtcNow():O}")),
                    CancellationToken.None);
            }
        }

        return Outcome.AccessReturned;
    }

    /// <summary>
    /// Until when the lease stays watched, from what the row says (<paramref name="until"/>) and what the provider
    /// answers now from the row's revocation data: the earlier of the two, so that a conservative bound (migration 7's
    /// backfill of leases revoked before rows recorded one) narrows to the credential's real expiry at the first look.
    /// Not later than <paramref name="now"/> when the provider's revocation destroys the credential or its answer has
    /// passed. No answer (revocation data older than the provider's record of the expiry) keeps the row's bound: when in
    /// doubt, watch longer. Revocation data the provider cannot read fails the verification as well and is left for the
    /// next run, until the row's bound.
    /// </summary>
    private static DateTimeOffset Narrow(ICredentialProvider provider, RevocationRequest request, DateTimeOffset until, DateTimeOffset now)
    {
        if (provider is not IRevokedCredentialLifetime lifetime)
        {
            return now;
        }

        return lifetime.UsableUntil(request) is { } answer && answer < until ? answer : until;
    }

    private static string Truncate(string text) => text.Length > 500 ? text[..500] : text;

    private enum Outcome
    {
        Skipped,
        StillRevoked,
        AccessReturned,
        Unverified,
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Revoked lease {LeaseId} on target {Target} has its access back ({Evidence}); revoking it again")]
    private static partial void LogAccessReturned(ILogger logger, string leaseId, string target, string evidence);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Re-verifying revoked lease {LeaseId} on target {Target} failed ({Reason}); trying again on the next run")]
    private static partial void LogUnverified(ILogger logger, string leaseId, string target, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Re-verification of revoked leases: {StillRevoked} still revoked, {AccessReturned} had their access back and were revoked again, {Unverified} could not be verified")]
    private static partial void LogRecheckRun(ILogger logger, int stillRevoked, int accessReturned, int unverified);
}
