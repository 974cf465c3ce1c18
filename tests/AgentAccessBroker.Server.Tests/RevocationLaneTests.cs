using System.Diagnostics;
using AgentAccessBroker.Audit;
using AgentAccessBroker.Brokering;
using AgentAccessBroker.Credentials;
using AgentAccessBroker.Domain;
using AgentAccessBroker.Policy;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentAccessBroker.Server.Tests;

/// <summary>
/// Revocation is partitioned per target: revocations stuck on one target (finding: 12 hanging on a held lock delayed a
/// healthy target's by 81 s and showed <c>revoking</c> with no error) never delay another target's, every attempt has
/// a deadline, and a failed target's revocations are retried as soon as it answers instead of after their backoff.
/// </summary>
public sealed class RevocationLaneTests
{
    private const string PolicyYaml = """
        version: 1
        agents: [{ id: agent-a, owner: alice }]
        approver_groups: [{ name: ops, members: [{ id: bob }] }]
        targets:
          - name: stuck-db
            connector: lanes
            approvers: ops
            resources: [{ name: "stuck.*", sensitivity: low, environment: dev }]
          - name: healthy-db
            connector: lanes
            approvers: ops
            resources: [{ name: "healthy.*", sensitivity: low, environment: dev }]
        """;

    private static readonly RevocationLaneOptions Lanes = new() { ConcurrencyPerTarget = 4, AttemptTimeout = TimeSpan.FromSeconds(30), ProbeInterval = TimeSpan.FromSeconds(2) };

    [Fact]
    public async Task Revoke_TwelveStuckOnOneTarget_HealthyTargetRevokedWithinSecondsAndStuckOnesFailAtTheirDeadline()
    {
        await using var flow = new BrokerFlowHarness();
        var (_, task) = await flow.AgentWithTaskAsync();
        var provider = new StuckProvider("stuck-db");
        using var revoker = new LeaseRevoker(flow.Store, flow.Store, new FixedPolicy(), new CredentialProviderRegistry([provider]), flow.Scheduler, flow.Clock, NullLogger<LeaseRevoker>.Instance, Lanes);
        var stuck = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            stuck.Add(await SeedLeaseAsync(flow, task, "stuck-db"));
        }

        var healthy = await SeedLeaseAsync(flow, task, "healthy-db");

        // As the scheduler's triggers do: start each revocation and move on.
        var stuckRuns = stuck.Select(id => revoker.StartInBackground(id, "scheduler", "lease ended", onlyIfDue: false)).ToList();
        await provider.WhenEnteredAsync(4).WaitAsync(TimeSpan.FromSeconds(30));
        var started = Stopwatch.GetTimestamp();
        var outcome = await revoker.StartInBackground(healthy, "scheduler", "lease ended", onlyIfDue: false).WaitAsync(TimeSpan.FromSeconds(30));
        var took = Stopwatch.GetElapsedTime(started);

        Assert.Equal(RevocationOutcome.Revoked, outcome);
        Assert.True(took < TimeSpan.FromSeconds(5), $"the healthy target's revocation took {took.TotalSeconds:0.0} s");
        Assert.Equal(4, provider.MostAtOnce);
        // Which four entered the lane first is up to the thread pool: look at the leases whose attempt is running.
        var leases = await Task.WhenAll(stuck.Select(id => flow.Store.GetLeaseAsync(id, CancellationToken.None)));
        Assert.Equal(4, leases.Count(l => l!.State == LeaseState.Revoking && l.LastError is not null));
        var running = leases.First(l => l!.State == LeaseState.Revoking && l.LastError is not null)!;
        Assert.Contains("running since", running.LastError, StringComparison.Ordinal);
        Assert.Contains("gives up at", running.LastError, StringComparison.Ordinal);

        // Each batch of four runs into its deadline; the next batch then starts.
        for (var batch = 1; batch <= 3; batch++)
        {
            await provider.WhenEnteredAsync(4 * batch).WaitAsync(TimeSpan.FromSeconds(30));
            flow.Clock.Advance(Lanes.AttemptTimeout + TimeSpan.FromSeconds(1));
        }

        Assert.All(await Task.WhenAll(stuckRuns).WaitAsync(TimeSpan.FromSeconds(30)), o => Assert.Equal(RevocationOutcome.Failed, o));
        foreach (var id in stuck)
        {
            var failed = (await flow.Store.GetLeaseAsync(id, CancellationToken.None))!;
            Assert.Equal(LeaseState.RevocationFailed, failed.State);
            Assert.Equal("attempt 1 ran past its 30 s deadline on target stuck-db: the target did not answer in time", failed.LastError);
        }
    }

    [Fact]
    public async Task Revoke_TargetAnswersAgain_FailedRevocationsRetriedAtOnceNotAfterTheirBackoff()
    {
        await using var flow = new BrokerFlowHarness();
        var (_, task) = await flow.AgentWithTaskAsync();
        var provider = new ProbedProvider { Down = true };
        using var revoker = new LeaseRevoker(flow.Store, flow.Store, new FixedPolicy(), new CredentialProviderRegistry([provider]), flow.Scheduler, flow.Clock, NullLogger<LeaseRevoker>.Instance, Lanes);
        var leases = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            // Eight failures already: the next retry would wait the full ten minutes.
            leases.Add(await SeedLeaseAsync(flow, task, "healthy-db", attempts: 8));
        }

        foreach (var id in leases)
        {
            Assert.Equal(RevocationOutcome.Failed, await revoker.RevokeAsync(id, "scheduler", "lease ended", onlyIfDue: false, CancellationToken.None));
        }

        var failedAt = flow.Clock.GetUtcNow();
        Assert.All(leases, id => Assert.True(flow.Store.GetLeaseAsync(id, CancellationToken.None).Result!.NextAttemptAt >= failedAt + LeaseRevoker.MaxBackoff));

        provider.Down = false;
        var revoked = provider.WhenRevokedAsync(5);
        for (var step = 0; step < 10 && !revoked.IsCompleted; step++)
        {
            // The probe's timer is armed on another thread; keep the clock moving in probe-sized steps until it fires.
            flow.Clock.Advance(Lanes.ProbeInterval);
            try
            {
                await revoked.WaitAsync(TimeSpan.FromMilliseconds(500));
            }
            catch (TimeoutException)
            {
            }
        }

        await revoked.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(flow.Clock.GetUtcNow() - failedAt <= TimeSpan.FromSeconds(20), "recovery waited longer than a few probes");
        foreach (var id in leases)
        {
            Assert.Equal(LeaseState.Revoked, await StateAsync(flow, id));
        }
    }

    [Fact]
    public async Task DisposeAsync_RevocationsRunningInTheBackground_ReturnsOnlyAfterEveryOneHasUnwound()
    {
        // Finding: a host stopped while background revocations were mid-write closed the store under them.
        await using var flow = new BrokerFlowHarness();
        var (_, task) = await flow.AgentWithTaskAsync();
        var provider = new StuckProvider("stuck-db");
        var revoker = new LeaseRevoker(flow.Store, flow.Store, new FixedPolicy(), new CredentialProviderRegistry([provider]), flow.Scheduler, flow.Clock, NullLogger<LeaseRevoker>.Instance, Lanes);
        var stuck = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            stuck.Add(await SeedLeaseAsync(flow, task, "stuck-db"));
        }

        var runs = stuck.Select(id => revoker.StartInBackground(id, "scheduler", "lease ended", onlyIfDue: false)).ToList();
        await provider.WhenEnteredAsync(4).WaitAsync(TimeSpan.FromSeconds(30));

        await revoker.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.All(runs, run => Assert.True(run.IsCompleted, "a background revocation was still running after DisposeAsync returned"));
        Assert.Equal(0, revoker.RunningInBackground);
        // Nothing was lost: every lease is still in a state the sweep revokes.
        foreach (var id in stuck)
        {
            var lease = (await flow.Store.GetLeaseAsync(id, CancellationToken.None))!;
            Assert.Contains(lease.State, new[] { LeaseState.Active, LeaseState.Revoking, LeaseState.RevocationFailed });
        }
    }

    private static async Task<LeaseState?> StateAsync(BrokerFlowHarness flow, string id)
    {
        var started = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(10))
        {
            var lease = await flow.Store.GetLeaseAsync(id, CancellationToken.None);
            if (lease?.State != LeaseState.Revoking)
            {
                return lease?.State;
            }

            // The provider reported the revocation; the store transition follows on the revoker's thread.
            await Task.Yield();
        }

        return (await flow.Store.GetLeaseAsync(id, CancellationToken.None))?.State;
    }

    private static async Task<string> SeedLeaseAsync(BrokerFlowHarness flow, BrokerTask task, string target, int attempts = 0)
    {
        var now = flow.Clock.GetUtcNow();
        var request = new AccessRequest(Ids.New("req"), task.AgentId, task.Id, target, [target + ".one"], ["read"], "seeded for the lane test", TimeSpan.FromMinutes(15),
            now, RequestStatus.Issued, null, null, now, null);
        var lease = new Lease(Ids.New("lease"), request.Id, task.Id, task.AgentId, target, "lanes", request.Resources, request.Actions, now, now.AddMinutes(15),
            LeaseState.Active, new Dictionary<string, string> { ["handle"] = target }, attempts, null, null, null, null);
        await flow.Store.RecordRequestAsync(request with { LeaseId = lease.Id }, h => h, lease, [AuditEntries.Lease(AuditEventType.LeaseMinted, "test", lease, "seeded")], CancellationToken.None);
        return lease.Id;
    }

    private sealed class FixedPolicy : IPolicySource
    {
        public BrokerPolicy Current { get; } = PolicyLoader.Load(PolicyYaml, "lanes.yaml", _ => []).Policy ?? throw new InvalidOperationException("test policy invalid");
    }

    /// <summary>Revocations on one target wait until cancelled, as behind a lock another session holds.</summary>
    private sealed class StuckProvider(string stuckTarget) : ICredentialProvider
    {
        private readonly Lock _gate = new();
        private readonly List<(int Count, TaskCompletionSource Signal)> _waiters = [];
        private int _entered;
        private int _inside;

        public string Name => "lanes";

        public int MostAtOnce { get; private set; }

        public Task WhenEnteredAsync(int count)
        {
            var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_gate)
            {
                if (_entered >= count)
                {
                    signal.SetResult();
                }
                else
                {
                    _waiters.Add((count, signal));
                }
            }

            return signal.Task;
        }

        public IReadOnlyList<TargetSettingProblem> ValidateTarget(TargetSettings target) => [];

        public RevocationData Plan(MintRequest request) => RevocationData.Of(("handle", request.Target.Name));

        public Task<MintResult> MintAsync(MintRequest request, RevocationData plan, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public async Task RevokeAsync(RevocationRequest request, CancellationToken cancellationToken)
        {
            if (request.Target.Name != stuckTarget)
            {
                return;
            }

            lock (_gate)
            {
                _entered++;
                _inside++;
                MostAtOnce = Math.Max(MostAtOnce, _inside);
                foreach (var waiter in _waiters.Where(w => w.Count <= _entered).ToList())
                {
                    waiter.Signal.SetResult();
                    _waiters.Remove(waiter);
                }
            }

            try
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
            }
            finally
            {
                lock (_gate)
                {
                    _inside--;
                }
            }
        }

        public Task<VerificationResult> VerifyAsync(RevocationRequest request, CancellationToken cancellationToken) =>
            Task.FromResult(new VerificationResult(true, "gone"));
    }

    /// <summary>A target that is down until told otherwise, with a health probe.</summary>
    private sealed class ProbedProvider : ICredentialProvider, ITargetHealthProbe
    {
        private readonly TaskCompletionSource _allRevoked = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _revoked;
        private int _expected = int.MaxValue;

        public volatile bool Down;

        public string Name => "lanes";

        public Task WhenRevokedAsync(int count)
        {
            Volatile.Write(ref _expected, count);
            if (Volatile.Read(ref _revoked) >= count)
            {
                _allRevoked.TrySetResult();
            }

            return _allRevoked.Task;
        }

        public IReadOnlyList<TargetSettingProblem> ValidateTarget(TargetSettings target) => [];

        public RevocationData Plan(MintRequest request) => RevocationData.Of(("handle", request.Target.Name));

        public Task<MintResult> MintAsync(MintRequest request, RevocationData plan, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task RevokeAsync(RevocationRequest request, CancellationToken cancellationToken)
        {
            if (Down)
            {
                throw new InvalidOperationException("connection refused (target down)");
            }

            return Task.CompletedTask;
        }

        public Task<VerificationResult> VerifyAsync(RevocationRequest request, CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref _revoked) >= Volatile.Read(ref _expected))
            {
                _allRevoked.TrySetResult();
            }

            return Task.FromResult(new VerificationResult(true, "gone"));
        }

        public Task ProbeAsync(TargetSettings target, CancellationToken cancellationToken) =>
            Down ? Task.FromException(new InvalidOperationException("still down")) : Task.CompletedTask;
    }
}
