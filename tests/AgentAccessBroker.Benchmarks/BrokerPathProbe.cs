using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using AgentAccessBroker.Audit;
using AgentAccessBroker.Brokering;
using AgentAccessBroker.Domain;
using AgentAccessBroker.Security;
using AgentAccessBroker.Storage;
using AgentAccessBroker.Testing.Broker;
using Microsoft.Extensions.DependencyInjection;

namespace AgentAccessBroker.Benchmarks;

/// <summary>
/// Where a request's time goes on the broker's side: one store read (a dry run makes three: principal, task,
/// history), one store write transaction (an audit append), one Quartz revocation schedule (its job store is its own
/// SQLite file, scheduler.db, written through Quartz's own connections), and the last two interleaved, as a grant
/// interleaves them: with one file for both they used to wait on each other's lock.
/// </summary>
internal static class BrokerPathProbe
{
    private const int Operations = 320;
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    public static async Task<IReadOnlyList<LatencySummary>> RunAsync(BrokerHost host, string agentToken, int concurrency, CancellationToken cancellationToken)
    {
        var tokenHash = TokenHasher.Hash(agentToken);
        var store = host.App.Services.GetRequiredService<IBrokerStore>();
        var scheduler = host.App.Services.GetRequiredService<IRevocationScheduler>();

        // Far-future triggers for leases that do not exist: they never fire during the run, and the broker's data
        // directory (and with it the job store) is deleted afterwards.
        Task Schedule() => scheduler.ScheduleLeaseRevocationAsync(Ids.New("lease"), DateTimeOffset.UtcNow.AddDays(1), cancellationToken);
        Task Append() => store.AppendAsync(new AuditEntry("benchmark.probe", "benchmark", null, null, null, null, []), cancellationToken);

        return
        [
            await LoadRunner.RunAsync("[part] store read (principal by token hash)", concurrency, Operations * 4, Limit,
                async (_, _) => _ = await store.FindPrincipalByTokenHashAsync(tokenHash, cancellationToken) ?? throw new InvalidOperationException("unknown token"), cancellationToken),
            await LoadRunner.RunAsync("[part] store write transaction (audit append)", concurrency, Operations, Limit, (_, _) => Append(), cancellationToken),
            await LoadRunner.RunAsync("[part] Quartz schedule (scheduler.db)", concurrency, Operations, Limit, (_, _) => Schedule(), cancellationToken),
            await LoadRunner.RunAsync("[part] both, interleaved", concurrency, Operations, Limit, (_, i) => i % 2 == 0 ? Append() : Schedule(), cancellationToken),
        ];
    }

    /// <summary>
    /// How long SQLite's own sleep (used by its busy handler while another connection holds the write lock) lasts when
    /// asked for 1 ms. A library built without HAVE_USLEEP answers 1,000 (SQLitePCLRaw 2.0.6's SQLite 3.35.5 did): every
    /// wait for a locked database is then a whole second. Printed so that a report says which kind it ran on.
    /// </summary>
    public static string SqliteSleepGranularity()
    {
        SQLitePCL.Batteries_V2.Init();
        var started = Stopwatch.GetTimestamp();
        var reported = NativeSleep(1);
        return string.Create(CultureInfo.InvariantCulture,
            $"SQLite {SQLitePCL.raw.sqlite3_libversion().utf8_to_string()}: sqlite3_sleep(1 ms) reports {reported} ms and took {Stopwatch.GetElapsedTime(started).TotalMilliseconds:0} ms " +
            $"({(reported >= 1000 ? "built without HAVE_USLEEP: its busy handler waits in whole seconds" : "sub-second busy waits")})");
    }

    // SQLitePCLRaw does not expose sqlite3_sleep; the bundled e_sqlite3 library does.
    [DllImport("e_sqlite3", EntryPoint = "sqlite3_sleep")]
    private static extern int NativeSleep(int milliseconds);
}
