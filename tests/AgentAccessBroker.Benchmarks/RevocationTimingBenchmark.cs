using System.Diagnostics;
using AgentAccessBroker.Brokering;
using AgentAccessBroker.Credentials;
using AgentAccessBroker.Domain;
using AgentAccessBroker.Policy;
using AgentAccessBroker.Storage;
using AgentAccessBroker.Testing;
using AgentAccessBroker.Testing.Broker;
using Microsoft.Extensions.DependencyInjection;

namespace AgentAccessBroker.Benchmarks;

/// <summary>
/// Issue 23's lateness and recovery benchmarks on one PostgreSQL target of a real broker node (SQLite store, Quartz
/// job store, start-up sweep): leases are minted through the connector with their lease rows as the issuer writes them,
/// then given their end and a revocation trigger through the broker's scheduler, as the issuer schedules them.
/// <list type="bullet">
/// <item>lateness: <c>count</c> leases ending evenly within one minute; lateness is the lease's recorded revocation
/// (revoked and verified) minus its end; missed is any lease still live 3 minutes after the minute.</item>
/// <item>recovery: <c>count</c> leases with one end; the broker is stopped before it, started again after it, and the
/// time from the restarted broker being up until every lease is revoked is measured.</item>
/// </list>
/// </summary>
internal sealed class RevocationTimingBenchmark(TextWriter output, int count)
{
    private const int Parallelism = 4;
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private static readonly LeaseState[] Live = [LeaseState.Active, LeaseState.Minting, LeaseState.Revoking, LeaseState.RevocationFailed];

    public async Task<BenchmarkReport> RunAsync(CancellationToken cancellationToken)
    {
        var load = MachineReport.LoadAverage();
        var postgres = new PostgresFixture();
        await postgres.InitializeAsync();
        BrokerHost? host = null;
        try
        {
            host = await BrokerHost.StartAsync(postgres, requestsPerMinute: 100_000_000);
            var notes = new List<string>();
            var results = new List<LatencySummary>();

            var lateness = await LatenessAsync(host, cancellationToken);
            results.Add(lateness.Summary);
            notes.Add(lateness.Note);

            var (restarted, note) = await RecoveryAsync(host, cancellationToken);
            host = restarted;
            notes.Add(note);

            output.WriteLine(string.Join(Environment.NewLine, notes));
            return new BenchmarkReport(load, $"Revocation timing: lateness and recovery, {count:N0} leases on one target (issue 23)", results, notes);
        }
        finally
        {
            if (host is not null)
            {
                await host.DisposeAsync();
            }

            await postgres.DisposeAsync();
        }
    }

    private async Task<(LatencySummary Summary, string Note)> LatenessAsync(BrokerHost host, CancellationToken cancellationToken)
    {
        var (store, task, leases) = await MintAsync(host, "lateness", cancellationToken);
        // Every trigger must exist before its lease ends, as it would when the issuer schedules it at mint time.
        var start = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(20) + TimeSpan.FromMilliseconds(8.0 * leases.Count);
        var ends = leases.Select((id, i) => (id, end: start + Window * i / leases.Count)).ToList();
        var scheduledLate = await ScheduleAsync(host, ends, cancellationToken);

        var giveUp = start + Window + TimeSpan.FromMinutes(3);
        await WaitUntilNoneLiveAsync(store, task, giveUp, cancellationToken);

        var all = await ListAsync(store, task, cancellationToken);
        var revoked = all.Where(l => l.State == LeaseState.Revoked && l.RevokedAt is not null).ToList();
        var late = revoked.Select(l => (long)((l.RevokedAt!.Value - l.ExpiresAt).TotalSeconds * Stopwatch.Frequency)).ToArray();
        var missed = all.Count - revoked.Count;
        var summary = LatencySummary.From(
            $"lateness: {leases.Count:N0} leases ending within one minute on one target, revoked through the scheduler (revoked and verified − end)",
            Parallelism, late, late.Length, Window);
        var within = revoked.Count(l => l.RevokedAt!.Value - l.ExpiresAt <= TimeSpan.FromSeconds(1));
        var note = $"lateness: {leases.Count:N0} leases ending over {Window.TotalSeconds:0} s; {revoked.Count:N0} revoked, {missed:N0} missed (live 3 min after the window); " +
                   $"{within:N0} ({(double)within / leases.Count:P1}) within 1 s of their end; {scheduledLate} triggers were created after their lease's end (0 expected)";
        return (summary, note);
    }

    private async Task<(BrokerHost Host, string Note)> RecoveryAsync(BrokerHost host, CancellationToken cancellationToken)
    {
        var (store, task, leases) = await MintAsync(host, "recovery", cancellationToken);
        var end = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(15) + TimeSpan.FromMilliseconds(8.0 * leases.Count);
        var scheduledLate = await ScheduleAsync(host, leases.Select(id => (id, end)).ToList(), cancellationToken);

        var stoppedAt = DateTimeOffset.UtcNow;
        await host.StopAsync();
        if (end > DateTimeOffset.UtcNow)
        {
            // Wait out the end with the broker down (not a synchronisation: the leases must end while nothing runs).
            await Task.Delay(end - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(1), cancellationToken);
        }

        var restartStarted = Stopwatch.GetTimestamp();
        var restarted = await host.StartAgainAsync();
        var healthy = Stopwatch.GetTimestamp();
        var again = restarted.App.Services.GetRequiredService<IBrokerStore>();
        var dueAtRestart = (await ListAsync(again, task, cancellationToken)).Count(l => Live.Contains(l.State));
        var allDone = await WaitUntilNoneLiveAsync(again, task, DateTimeOffset.UtcNow + TimeSpan.FromMinutes(10), cancellationToken);
        var took = Stopwatch.GetElapsedTime(healthy, allDone ?? Stopwatch.GetTimestamp());
        var left = (await ListAsync(again, task, cancellationToken)).Count(l => Live.Contains(l.State));
        var note = $"recovery: {leases.Count:N0} leases with one end; broker stopped {(end - stoppedAt).TotalSeconds:0.0} s before it ({scheduledLate} triggers created late), " +
                   $"started again after it ({Stopwatch.GetElapsedTime(restartStarted, healthy).TotalSeconds:0.0} s to start); {dueAtRestart:N0} due at restart; " +
                   (left == 0
                       ? $"all revoked {took.TotalSeconds:0.0} s after the broker was up ({dueAtRestart / took.TotalSeconds:0}/s)"
                       : $"{left:N0} still live 10 minutes after the restart");
        return (restarted, note);
    }

    private async Task<(IBrokerStore Store, BrokerTask Task, List<string> Leases)> MintAsync(BrokerHost host, string name, CancellationToken cancellationToken)
    {
        var services = host.App.Services;
        var provider = services.GetServices<ICredentialProvider>().Single(p => p.Name == "postgresql");
        var target = services.GetRequiredService<IPolicySource>().Current.FindTarget("app-db")!.Settings;
        var store = services.GetRequiredService<IBrokerStore>();
        var registry = services.GetRequiredService<PrincipalRegistry>();
        var (admin, _) = await registry.RegisterAsync("bench", $"bench-admin-{name}", PrincipalRole.Admin, null, cancellationToken);
        await registry.RegisterAsync("bench", $"agent-{name}", PrincipalRole.Agent, "alice", cancellationToken);
        var (task, _) = await services.GetRequiredService<TaskLifecycle>().StartAsync(admin, $"agent-{name}", $"benchmark revocation {name}", [$"{host.Database}.public.invoices"], "dev", null, cancellationToken);
        var minted = await RevocationScaleBenchmark.MintAsync(output, provider, store, target, task, $"{host.Database}.public.invoices", count, cancellationToken);
        output.WriteLine($"{name}: minted {minted.Leases.Count:N0} leases in {minted.Took.TotalSeconds:0} s ({minted.Failures} failed)");
        return (store, task, minted.Leases);
    }

    /// <summary>Gives each lease its end and schedules its revocation trigger there; returns how many triggers were created after their end.</summary>
    private static async Task<int> ScheduleAsync(BrokerHost host, List<(string Id, DateTimeOffset End)> ends, CancellationToken cancellationToken)
    {
        var store = host.App.Services.GetRequiredService<IBrokerStore>();
        var scheduler = host.App.Services.GetRequiredService<IRevocationScheduler>();
        var late = 0;
        var started = Stopwatch.GetTimestamp();
        await Parallel.ForEachAsync(ends, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (lease, ct) =>
        {
            await store.TransitionLeaseAsync(lease.Id, [LeaseState.Active], new LeaseUpdate(LeaseState.Active, ExpiresAt: lease.End), ct);
            await scheduler.ScheduleLeaseRevocationAsync(lease.Id, lease.End, ct);
            if (DateTimeOffset.UtcNow > lease.End)
            {
                Interlocked.Increment(ref late);
            }
        });
        Console.WriteLine($"scheduled {ends.Count:N0} ends and triggers in {Stopwatch.GetElapsedTime(started).TotalSeconds:0} s");
        return late;
    }

    /// <returns>When the last lease stopped being live, or null when some were still live at <paramref name="giveUp"/>.</returns>
    private static async Task<long?> WaitUntilNoneLiveAsync(IBrokerStore store, BrokerTask task, DateTimeOffset giveUp, CancellationToken cancellationToken)
    {
        while (DateTimeOffset.UtcNow < giveUp)
        {
            if ((await store.ListLeasesAsync(new LeaseQuery(TaskId: task.Id, States: Live, Limit: 1), cancellationToken)).Count == 0)
            {
                return Stopwatch.GetTimestamp();
            }

            // Polling the store, the benchmark's only view of the broker's progress, at a tenth of a second.
            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
        }

        return null;
    }

    private static async Task<List<Lease>> ListAsync(IBrokerStore store, BrokerTask task, CancellationToken cancellationToken)
    {
        var all = new List<Lease>();
        string? after = null;
        while (true)
        {
            var page = await store.ListLeasesAsync(new LeaseQuery(TaskId: task.Id, Limit: 500, After: after), cancellationToken);
            all.AddRange(page);
            if (page.Count < 500)
            {
                return all;
            }

            after = ListCursor.Of(page[^1].CreatedAt, page[^1].Id);
        }
    }
}
