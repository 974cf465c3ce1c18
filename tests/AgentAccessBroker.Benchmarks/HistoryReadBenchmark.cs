using System.Diagnostics;
using System.Globalization;
using AgentAccessBroker.Decisions;
using AgentAccessBroker.Storage;
using Microsoft.Data.Sqlite;

namespace AgentAccessBroker.Benchmarks;

/// <summary>
/// Shows that reading an agent's history from the SQLite store costs the same after 10 events as after 10,000: the
/// store keeps folded aggregates (one agent row, one task row), never the events. Each agent's history is written
/// through <see cref="IBrokerStore.UpdateHistoryAsync"/> one event at a time, exactly as the broker records requests;
/// reads (and further updates) are then timed round-robin across agents, so a busy moment on the machine hits all
/// history lengths alike. Reads are timed twice: parsing the rows every time (the store's cache of parsed aggregates
/// off, as when another node changed them since this one's last read), and with the cache, rows unchanged.
/// </summary>
internal sealed class HistoryReadBenchmark(bool quick)
{
    private static readonly int[] Lengths = [10, 100, 1_000, 10_000];

    public async Task<BenchmarkReport> RunAsync(CancellationToken cancellationToken)
    {
        var reads = quick ? 500 : 5_000;
        var updates = quick ? 50 : 300;
        var directory = Directory.CreateTempSubdirectory("aab-bench-history-");
        var notes = new List<string>();
        var load = MachineReport.LoadAverage();
        var results = new List<LatencySummary>();
        try
        {
            await using var store = new SqliteBrokerStore(directory.FullName);
            await store.MigrateAsync(cancellationToken);

            var started = Stopwatch.GetTimestamp();
            foreach (var length in Lengths)
            {
                for (var i = 0; i < length; i++)
                {
                    await RecordAsync(store, Agent(length), i, cancellationToken);
                }
            }

            notes.Add(string.Create(CultureInfo.InvariantCulture,
                $"writing {Lengths.Sum():N0} events through UpdateHistoryAsync (one write transaction each) took {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s"));

            for (var i = 0; i < 200; i++)
            {
                foreach (var length in Lengths)
                {
                    await store.GetHistoryAsync(Agent(length), CurrentTask(length), cancellationToken);
                }
            }

            // Parsing the rows every time, as a node does when another node changed them since its last read.
            store.CachesHistories = false;
            var readTicks = await TimeRoundRobinAsync(reads, length => store.GetHistoryAsync(Agent(length), CurrentTask(length), cancellationToken));
            store.CachesHistories = true;
            var cachedTicks = await TimeRoundRobinAsync(reads, length => store.GetHistoryAsync(Agent(length), CurrentTask(length), cancellationToken));
            foreach (var length in Lengths)
            {
                var history = await store.GetHistoryAsync(Agent(length), CurrentTask(length), cancellationToken);
                if (history.Agent.TotalRequests != length)
                {
                    throw new InvalidOperationException($"agent {Agent(length)} has {history.Agent.TotalRequests} requests recorded, not {length}");
                }

                results.Add(LatencySummary.Sequential($"GetHistoryAsync, {length:N0} events", readTicks[length], reads));
                results.Add(LatencySummary.Sequential($"[more] GetHistoryAsync, {length:N0} events, unchanged since this node's last read", cachedTicks[length], reads));
                var (agentBytes, taskBytes) = RowSizes(store.DatabasePath, Agent(length), CurrentTask(length));
                notes.Add(string.Create(CultureInfo.InvariantCulture,
                    $"{length:N0} events: stored aggregates are {agentBytes:N0} B (agent row) + {taskBytes:N0} B (current task row); " +
                    $"{history.Agent.SeenResources.Count} seen resources, {history.Agent.GrantCounts.Count} grant keys, {history.Agent.RecentRequestTimes.Count} recent request times"));
            }

            // Each further update records the last event again, so it lands in the agent's current task row.
            var updateTicks = await TimeRoundRobinAsync(updates, length => RecordAsync(store, Agent(length), length - 1, cancellationToken));
            foreach (var length in Lengths)
            {
                results.Add(LatencySummary.Sequential($"UpdateHistoryAsync, {length:N0} events before", updateTicks[length], updates));
            }

            var reads10 = results.Single(r => r.Name == "GetHistoryAsync, 10 events");
            var reads1k = results.Single(r => r.Name == "GetHistoryAsync, 1,000 events");
            var reads10k = results.Single(r => r.Name == "GetHistoryAsync, 10,000 events");
            notes.Add(string.Create(CultureInfo.InvariantCulture,
                $"read p50 at 10,000 events is {reads10k.P50Ms / reads1k.P50Ms:0.00}× the p50 at 1,000 and {reads10k.P50Ms / reads10.P50Ms:0.00}× the p50 at 10: " +
                $"the cost follows the size of the stored aggregates, which stops growing once their bounds are reached, not the number of events"));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            directory.Delete(recursive: true);
        }

        return new BenchmarkReport(load, "Behaviour history in the SQLite store: read and update cost against history length", results, notes);
    }

    private static string Agent(int length) => $"agent-{length}";

    private static string CurrentTask(int length) => SyntheticEvent.TaskOf(length - 1);

    private static Task<BehaviourHistory> RecordAsync(SqliteBrokerStore store, string agent, int index, CancellationToken cancellationToken)
    {
        var e = SyntheticEvent.Create(agent, index);
        return store.UpdateHistoryAsync(agent, e.TaskId, e.FoldInto, cancellationToken);
    }

    private static async Task<Dictionary<int, long[]>> TimeRoundRobinAsync(int rounds, Func<int, Task> operation)
    {
        var ticks = Lengths.ToDictionary(l => l, _ => new long[rounds]);
        for (var i = 0; i < rounds; i++)
        {
            foreach (var length in Lengths)
            {
                var start = Stopwatch.GetTimestamp();
                await operation(length);
                ticks[length][i] = Stopwatch.GetTimestamp() - start;
            }
        }

        return ticks;
    }

    private static (long Agent, long Task) RowSizes(string databasePath, string agent, string task)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = databasePath, Mode = SqliteOpenMode.ReadOnly }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT (SELECT length(data) FROM aab_agent_history WHERE agent_id = $agent),
                   (SELECT length(data) FROM aab_task_history WHERE agent_id = $agent AND task_id = $task)
            """;
        command.Parameters.AddWithValue("$agent", agent);
        command.Parameters.AddWithValue("$task", task);
        using var reader = command.ExecuteReader();
        reader.Read();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }
}
