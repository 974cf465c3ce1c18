using System.Collections.Concurrent;
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
/// <remarks>
/// Work is partitioned per target (<see cref="RevocationLaneOptions"/>): each target has its own concurrency limit and
/// every attempt its own deadline, so revocations stuck on one target (a held lock, a dead server) never hold up
/// another target's. A lease whose attempt is running shows <see cref="LeaseState.Revoking"/> with when the attempt
/// started and when it gives up; past that deadline it turns <see cref="LeaseState.RevocationFailed"/> with the reason.
/// After a failure the target is probed (when its provider is an <see cref="ITargetHealthProbe"/>) and its failed
/// revocations are retried as soon as it answers.
/// </remarks>
public sealed partial class LeaseRevoker(
    IBrokerStore store,
    IResourceLock locks,
    IPolicySource policies,
    CredentialProviderRegistry providers,
    IRevocationScheduler scheduler,
    TimeProvider time,
    ILogger<LeaseRevoker> logger,
    RevocationLaneOptions? laneOptions = null) : IDisposable, IAsyncDisposable
{
    private const string RecoveryActor = "broker-recovery";
    private static readonly LeaseState[] Revocable = [LeaseState.Active, LeaseState.Minting, LeaseState.Revoking, LeaseState.RevocationFailed];

    private readonly RevocationLaneOptions _lanes = laneOptions ?? new RevocationLaneOptions();
    private readonly ConcurrentDictionary<string, TargetLane> _byTarget = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<long, Task> _running = new();
    private long _nextWork;
    private int _background;

    /// <summary>The first retry waits this long; each further failure doubles it up to <see cref="MaxBackoff"/>.</summary>
    public static TimeSpan FirstBackoff { get; } = TimeSpan.FromSeconds(5);

    public static TimeSpan MaxBackoff { get; } = TimeSpan.FromMinutes(10);

    /// <summary>Revocations started with <see cref="StartInBackground"/> and not finished yet.</summary>
    public int RunningInBackground => Volatile.Read(ref _background);

    /// <summary>
    /// Starts a revocation without waiting for it: for scheduler triggers, so that no scheduler thread waits on a slow
    /// target. The lease row stays the source of truth; an attempt cut short by a shutdown is found by the sweep.
    /// </summary>
    public Task<RevocationOutcome> StartInBackground(string leaseId, string actor, string reason, bool onlyIfDue)
    {
        Interlocked.Increment(ref _background);
        return Track(Task.Run(async () =>
        {
            try
            {
                return await RevokeAsync(leaseId, actor, reason, onlyIfDue, _stopping.Token);
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !_stopping.IsCancellationRequested)
            {
                LogBackgroundFailed(logger, exception, leaseId);
                return RevocationOutcome.Failed;
            }
            finally
            {
                Interlocked.Decrement(ref _background);
            }
        }));
    }

    /// <param name="onlyIfDue">For scheduler triggers: do nothing unless the lease has ended or a retry is due.</param>
    public async Task<RevocationOutcome> RevokeAsync(string leaseId, string actor, string reason, bool onlyIfDue, CancellationToken cancellationToken)
    {
        // Find the lease's target without a lock, to wait in that target's lane only.
        var peek = await store.GetLeaseAsync(leaseId, cancellationToken);
        if (peek is null || !peek.IsLive)
        {
            return RevocationOutcome.AlreadyDone;
        }

        if (onlyIfDue && !IsDue(peek, time.GetUtcNow()))
        {
            return RevocationOutcome.NotDue;
        }

        var lane = _byTarget.GetOrAdd(peek.Target, name => new TargetLane(name, _lanes.ConcurrencyPerTarget));
        await lane.Slots.WaitAsync(cancellationToken);
        try
        {
            return await RevokeInLaneAsync(lane, leaseId, actor, reason, onlyIfDue, cancellationToken);
        }
        finally
        {
            lane.Slots.Release();
        }
    }

    /// <summary>
    /// Undoes whatever a failed or overtaken mint may have created, the way every lease is revoked: revoke, then verify,
    /// under the lease's lock and within the attempt deadline. The caller records the outcome on the lease row, which is
    /// still <see cref="LeaseState.Minting"/> or already taken by a revocation. Throws when revoking or verifying fails,
    /// so that the caller leaves the lease to the revocation retries.
    /// </summary>
    /// <param name="data">What the mint left to revoke: its plan, or the final revocation data when the mint finished.</param>
    public async Task<VerificationResult> UndoMintAsync(Lease lease, TargetSettings target, RevocationData data, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        await using var held = await locks.AcquireAsync("lease:" + lease.Id, cancellationToken);
        using var timeout = new CancellationTokenSource(_lanes.AttemptTimeout, time);
        using var attemptToken = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        return await RevokeAndVerifyAsync(providers.Get(lease.Provider), new RevocationRequest(lease.Id, target, data, lease.ExpiresAt, time.GetUtcNow()), attemptToken.Token);
    }

    private static async Task<VerificationResult> RevokeAndVerifyAsync(ICredentialProvider provider, RevocationRequest revocation, CancellationToken cancellationToken)
    {
        VerificationResult verification;
        if (provider is ICombinedRevocation combined)
        {
            verification = await combined.RevokeAndVerifyAsync(revocation, cancellationToken);
        }
        else
        {
            await provider.RevokeAsync(revocation, cancellationToken);
            verification = await provider.VerifyAsync(revocation, cancellationToken);
        }

        return verification.Revoked
            ? verification
            : throw new InvalidOperationException("Verification after revoke found the access still present: " + verification.Evidence);
    }

    private async Task<RevocationOutcome> RevokeInLaneAsync(TargetLane lane, string leaseId, string actor, string reason, bool onlyIfDue, CancellationToken cancellationToken)
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

        var attempt = lease.RevocationAttempts + 1;
        var deadline = now + _lanes.AttemptTimeout;
        var running = $"attempt {attempt} running since {now:O}, gives up at {deadline:O}" + (lease.LastError is { Length: > 0 } previous ? "; previous: " + previous : string.Empty);
        // NextAttemptAt holds the deadline while the attempt runs, so that the sweep leaves a running attempt alone and
        // takes the lease over only if this node dies before the deadline. The start does not wait for the disk: losing
        // it in a machine crash leaves the lease due as before, and the outcome's commit below waits for both.
        if (!await store.StartRevocationAttemptAsync(leaseId, Revocable, new LeaseUpdate(LeaseState.Revoking, LastError: Truncate(running), NextAttemptAt: deadline),
                [AuditEntries.Lease(AuditEventType.RevocationRequested, actor, lease, reason)], cancellationToken))
        {
            return RevocationOutcome.AlreadyDone;
        }

        var (snapshot, data) = TargetSnapshot.Detach(lease.RevocationData);
        var target = snapshot ?? policies.Current.FindTarget(lease.Target)?.Settings;
        using var timeout = new CancellationTokenSource(_lanes.AttemptTimeout, time);
        using var attemptToken = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        ICredentialProvider? provider = null;
        try
        {
            if (target is null)
            {
                throw new InvalidOperationException($"Lease has no target settings and target '{lease.Target}' is not in the policy.");
            }

            provider = providers.Get(lease.Provider);
            var request = new RevocationRequest(lease.Id, target, data, lease.ExpiresAt, now);
            var verification = await RevokeAndVerifyAsync(provider, request, attemptToken.Token);

            var done = time.GetUtcNow();
            var revoked = lease with { State = LeaseState.Revoked };
            // A credential that outlives its revocation is re-verified until it expires (RevocationRecheck).
            await store.FinishRevocationAttemptAsync(leaseId, [LeaseState.Revoking], new LeaseUpdate(LeaseState.Revoked, ClearLastError: true, RevokedAt: done, VerifiedAt: done,
                    UsableUntil: RevocationRecheck.UsableUntil(provider, request, done)),
                [AuditEntries.Lease(AuditEventType.RevocationDone, actor, revoked, reason), AuditEntries.Lease(AuditEventType.RevocationVerified, "broker", revoked, verification.Evidence)]);
            LogRevoked(logger, leaseId, lease.Provider, reason);
            return RevocationOutcome.Revoked;
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var next = time.GetUtcNow() + Backoff(attempt);
            var error = timeout.IsCancellationRequested
                ? $"attempt {attempt} ran past its {_lanes.AttemptTimeout.TotalSeconds:0.#} s deadline on target {lease.Target}: the target did not answer in time"
                : Describe(exception);
            await store.FinishRevocationAttemptAsync(leaseId, [LeaseState.Revoking],
                new LeaseUpdate(LeaseState.RevocationFailed, RevocationAttempts: attempt, LastError: error, NextAttemptAt: next),
                [AuditEntries.Lease(AuditEventType.RevocationFailed, actor, lease with { State = LeaseState.RevocationFailed, RevocationAttempts = attempt },
                    $"attempt {attempt} failed: {error}; next attempt at {next:O}")]);
            await scheduler.ScheduleLeaseRevocationAsync(leaseId, next, CancellationToken.None);
            LogRevocationFailed(logger, exception, leaseId, attempt, next);
            // A retry made because the target answered again does not start probing anew: a lease that fails even
            // then goes back to its backoff instead of being retried at every probe.
            if (actor != RecoveryActor && provider is ITargetHealthProbe probe && target is not null)
            {
                lane.Failed(leaseId, target, probe, this);
            }

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

    /// <summary>Stops background work without waiting for it (an attempt cut short is found again by the sweep).</summary>
    public void Dispose() => _stopping.Cancel();

    /// <summary>
    /// Stops background work and waits (at most <see cref="ShutdownGrace"/>) until every background revocation and probe
    /// has unwound, so that none is still writing when the store it uses is closed.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        try
        {
            await Task.WhenAll(_running.Values).WaitAsync(ShutdownGrace);
        }
        catch (TimeoutException)
        {
            LogShutdownLeftWork(logger, _running.Count);
        }
        catch (OperationCanceledException)
        {
            // Background work ended by the stop itself, as intended.
        }
    }

    /// <summary>How long <see cref="DisposeAsync"/> waits for background work to unwind.</summary>
    public static TimeSpan ShutdownGrace { get; } = TimeSpan.FromSeconds(10);

    /// <summary>Keeps <paramref name="work"/> in the set <see cref="DisposeAsync"/> waits for, until it completes.</summary>
    private T Track<T>(T work)
        where T : Task
    {
        var id = Interlocked.Increment(ref _nextWork);
        _running[id] = work;
        _ = work.ContinueWith(_ => _running.TryRemove(id, out Task? _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return work;
    }

    /// <summary>
    /// Probes the lane's target until it answers, then retries every lease that failed on it since the probing began,
    /// at once and regardless of their backoff.
    /// </summary>
    private async Task ProbeUntilHealthyAsync(TargetLane lane, TargetSettings target, ITargetHealthProbe probe)
    {
        var token = _stopping.Token;
        try
        {
            while (!token.IsCancellationRequested)
            {
                await Task.Delay(_lanes.ProbeInterval, time, token);
                using var timeout = new CancellationTokenSource(_lanes.ProbeTimeout, time);
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(token, timeout.Token);
                try
                {
                    await probe.ProbeAsync(target, linked.Token);
                }
                catch (Exception exception) when (!token.IsCancellationRequested)
                {
                    LogProbeFailed(logger, lane.Target, exception.GetType().Name);
                    continue;
                }

                var due = lane.Recovered();
                LogTargetRecovered(logger, lane.Target, due.Count);
                await Task.WhenAll(due.Select(leaseId => RevokeAsync(leaseId, RecoveryActor, "retry after the target answered again", onlyIfDue: false, token)));
                if (!lane.StopProbingIfNothingFailed())
                {
                    continue;
                }

                return;
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private static string Truncate(string text) => text.Length > 500 ? text[..500] : text;

    /// <summary>One target's share of revocation work: its slots, and the leases that failed on it while it is probed.</summary>
    private sealed class TargetLane(string target, int slots)
    {
        private readonly Lock _gate = new();
        private readonly HashSet<string> _failed = new(StringComparer.Ordinal);
        private bool _probing;

        public string Target { get; } = target;

        public SemaphoreSlim Slots { get; } = new(slots, slots);

        public void Failed(string leaseId, TargetSettings settings, ITargetHealthProbe probe, LeaseRevoker owner)
        {
            lock (_gate)
            {
                _failed.Add(leaseId);
                if (_probing)
                {
                    return;
                }

                _probing = true;
            }

            _ = owner.Track(Task.Run(() => owner.ProbeUntilHealthyAsync(this, settings, probe)));
        }

        public List<string> Recovered()
        {
            lock (_gate)
            {
                var due = _failed.ToList();
                _failed.Clear();
                return due;
            }
        }

        /// <summary>Ends probing unless a retry failed again meanwhile (then probing goes on).</summary>
        public bool StopProbingIfNothingFailed()
        {
            lock (_gate)
            {
                if (_failed.Count > 0)
                {
                    return false;
                }

                _probing = false;
                return true;
            }
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

    [LoggerMessage(Level = LogLevel.Error, Message = "Background revocation of lease {LeaseId} failed outside an attempt")]
    private static partial void LogBackgroundFailed(ILogger logger, Exception exception, string leaseId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shutting down with {Count} background revocations or probes still running; the sweep finds their leases again")]
    private static partial void LogShutdownLeftWork(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Target {Target} still does not answer the health probe ({Reason})")]
    private static partial void LogProbeFailed(ILogger logger, string target, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Target {Target} answers again; retrying {Count} failed revocations now")]
    private static partial void LogTargetRecovered(ILogger logger, string target, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Revoking lease {LeaseId} failed (attempt {Attempts}); retrying at {NextAttempt}")]
    private static partial void LogRevocationFailed(ILogger logger, Exception exception, string leaseId, int attempts, DateTimeOffset nextAttempt);
}
