using System.Collections.Concurrent;
using System.Security.Cryptography;
using AgentAccessBroker.Decisions;

namespace AgentAccessBroker.Storage;

/// <remarks>
/// History rows carry a <c>stamp</c>: a random number written with every new version of the row. The store keeps the
/// aggregates it last read or wrote, parsed, with their stamp; a read sends the stamp it knows and gets the row's JSON
/// back only when the row has changed since. A long-lived agent's row is about 49 KB of JSON, and parsing it was most of
/// a dry run's time; unchanged, it now costs a primary-key lookup. Random stamps (not counters) stay safe when another
/// node writes the row, when a transaction that wrote one rolls back, and when a database is restored from a backup.
/// Rows written before stamps existed carry 0, which is never cached. The cached aggregates are shared, so they are
/// never changed in place (<see cref="HistoryFold"/> always builds new ones).
/// </remarks>
public abstract partial class BrokerStore
{
    // Bounds on what a node keeps parsed: a full agent row is ~49 KB of JSON (a few times that in memory).
    private const int MaxCachedAgents = 256;
    private const int MaxCachedTasks = 1024;

    // Sent as the known stamp when nothing is cached: real stamps are never negative.
    private const long NoStamp = -1;

    private readonly ConcurrentDictionary<string, Cached<AgentHistory>> _agentHistories = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Agent, string Task), Cached<TaskHistory>> _taskHistories = new();

    /// <summary>Whether parsed aggregates are kept between reads; the history benchmark turns it off to time parsing.</summary>
    internal bool CachesHistories { get; set; } = true;

    /// <inheritdoc />
    public async Task<BehaviourHistory> GetHistoryAsync(string agentId, string taskId, CancellationToken cancellationToken)
    {
        var knownAgent = Known(_agentHistories, agentId);
        var knownTask = Known(_taskHistories, (agentId, taskId));

        // One statement, so both aggregates come from the same snapshot.
        var row = await QuerySingleOrDefaultAsync<HistoryRow>(
            """
            SELECT a.stamp AS AgentStamp, CASE WHEN a.stamp = @KnownAgent THEN NULL ELSE a.data END AS AgentData,
                   t.stamp AS TaskStamp, CASE WHEN t.stamp = @KnownTask THEN NULL ELSE t.data END AS TaskData
              FROM (SELECT 1 AS one) AS anchor
              LEFT JOIN aab_agent_history a ON a.agent_id = @AgentId
              LEFT JOIN aab_task_history t ON t.agent_id = @AgentId AND t.task_id = @TaskId
            """,
            new { AgentId = agentId, TaskId = taskId, KnownAgent = knownAgent?.Stamp ?? NoStamp, KnownTask = knownTask?.Stamp ?? NoStamp },
            cancellationToken);
        return new BehaviourHistory(
            Resolve(_agentHistories, agentId, row?.AgentStamp, row?.AgentData, knownAgent, AgentHistory.Empty(agentId), MaxCachedAgents),
            Resolve(_taskHistories, (agentId, taskId), row?.TaskStamp, row?.TaskData, knownTask, TaskHistory.Empty(agentId, taskId), MaxCachedTasks));
    }

    /// <inheritdoc />
    public Task<BehaviourHistory> UpdateHistoryAsync(
        string agentId, string taskId, Func<BehaviourHistory, BehaviourHistory> update, CancellationToken cancellationToken) =>
        WriteAsync(scope => UpdateHistoryAsync(scope, agentId, taskId, update, cancellationToken), cancellationToken);

    private protected async Task<BehaviourHistory> UpdateHistoryAsync(
        WriteScope scope, string agentId, string taskId, Func<BehaviourHistory, BehaviourHistory> update, CancellationToken cancellationToken)
    {
        var (agent, task) = await LockHistoryRowsAsync(scope, agentId, taskId, cancellationToken);
        if (agent is null || task is null)
        {
            // A task's first request: a row lock cannot protect a row that is not there yet, so create the missing
            // rows (a concurrent creator wins harmlessly), then lock them.
            await WriteHistoryRowsAsync(
                scope,
                "INSERT INTO aab_agent_history (agent_id, data, stamp) VALUES (@AgentId, @Data, @Stamp) ON CONFLICT (agent_id) DO NOTHING",
                "INSERT INTO aab_task_history (agent_id, task_id, data, stamp) VALUES (@AgentId, @TaskId, @Data, @Stamp) ON CONFLICT (agent_id, task_id) DO NOTHING",
                agentId,
                taskId,
                BehaviourHistory.Empty(agentId, taskId),
                remember: false,
                cancellationToken);
            (agent, task) = await LockHistoryRowsAsync(scope, agentId, taskId, cancellationToken);
        }

        var updated = update(new BehaviourHistory(agent ?? AgentHistory.Empty(agentId), task ?? TaskHistory.Empty(agentId, taskId)));

        // Remembered before commit: if the transaction rolls back, no row ever carries the new stamp, so the entry
        // never matches and the next read parses the row again.
        await WriteHistoryRowsAsync(
            scope,
            "UPDATE aab_agent_history SET data = @Data, stamp = @Stamp WHERE agent_id = @AgentId",
            "UPDATE aab_task_history SET data = @Data, stamp = @Stamp WHERE agent_id = @AgentId AND task_id = @TaskId",
            agentId,
            taskId,
            updated,
            remember: true,
            cancellationToken);
        return updated;
    }

    /// <summary>
    /// Reads and locks both rows, the agent's first, always: the task row is not even read (so not locked) unless the
    /// agent row is held, so no two updates can ever hold them in opposite order and deadlock.
    /// </summary>
    private async Task<(AgentHistory? Agent, TaskHistory? Task)> LockHistoryRowsAsync(
        WriteScope scope, string agentId, string taskId, CancellationToken cancellationToken)
    {
        var knownAgent = Known(_agentHistories, agentId);
        var agentRow = await LockStampedRowAsync(
            scope, "aab_agent_history WHERE agent_id = @AgentId", new { AgentId = agentId, Known = knownAgent?.Stamp ?? NoStamp }, cancellationToken);
        if (agentRow is not { } agent)
        {
            return (null, null);
        }

        var knownTask = Known(_taskHistories, (agentId, taskId));
        var taskRow = await LockStampedRowAsync(
            scope,
            "aab_task_history WHERE agent_id = @AgentId AND task_id = @TaskId",
            new { AgentId = agentId, TaskId = taskId, Known = knownTask?.Stamp ?? NoStamp },
            cancellationToken);
        return (
            Resolve(_agentHistories, agentId, agent.Stamp, agent.Data, knownAgent, AgentHistory.Empty(agentId), MaxCachedAgents),
            taskRow is { } task ? Resolve(_taskHistories, (agentId, taskId), task.Stamp, task.Data, knownTask, TaskHistory.Empty(agentId, taskId), MaxCachedTasks) : null);
    }

    /// <summary>A history row's stamp, with its data only when the stamp is not <c>@Known</c>; locked until commit.</summary>
    private Task<(long Stamp, string? Data)?> LockStampedRowAsync(WriteScope scope, string tableAndFilter, object parameters, CancellationToken cancellationToken) =>
        QueryRowAsync<(long, string?)?>(
            scope,
            $"SELECT stamp, CASE WHEN stamp = @Known THEN NULL ELSE data END FROM {tableAndFilter}{ForUpdate}",
            parameters,
            r => (r.GetInt64(0), r.IsDBNull(1) ? null : r.GetString(1)),
            null,
            cancellationToken);

    private async Task WriteHistoryRowsAsync(
        WriteScope scope, string agentSql, string taskSql, string agentId, string taskId, BehaviourHistory history, bool remember, CancellationToken cancellationToken)
    {
        // Keyed by the ids asked for, never by ids inside the (caller-built) history, so an update cannot move a row.
        var (agentStamp, taskStamp) = (NewStamp(), NewStamp());
        await ExecuteAsync(scope, agentSql, new { AgentId = agentId, Data = StoredJson.Write(history.Agent), Stamp = agentStamp }, cancellationToken);
        await ExecuteAsync(scope, taskSql, new { AgentId = agentId, TaskId = taskId, Data = StoredJson.Write(history.Task), Stamp = taskStamp }, cancellationToken);
        if (remember)
        {
            Remember(_agentHistories, agentId, new Cached<AgentHistory>(agentStamp, history.Agent), MaxCachedAgents);
            Remember(_taskHistories, (agentId, taskId), new Cached<TaskHistory>(taskStamp, history.Task), MaxCachedTasks);
        }
    }

    private Cached<T>? Known<TKey, T>(ConcurrentDictionary<TKey, Cached<T>> cache, TKey key)
        where TKey : notnull =>
        CachesHistories && cache.TryGetValue(key, out var cached) ? cached : null;

    /// <summary>
    /// The aggregate of a row read with <paramref name="known"/>'s stamp: empty without a row, the cached one when the
    /// row came back without data (its stamp matched), else the row's JSON parsed (and remembered).
    /// </summary>
    private T Resolve<TKey, T>(ConcurrentDictionary<TKey, Cached<T>> cache, TKey key, long? stamp, string? data, Cached<T>? known, T empty, int bound)
        where TKey : notnull
        where T : class
    {
        if (stamp is null)
        {
            return empty;
        }

        if (data is null)
        {
            // NoStamp never matches, so a row without data means the known entry's stamp did.
            return known?.Aggregate ?? throw new InvalidOperationException("A history row came back without data although no stamp was known.");
        }

        var parsed = StoredJson.ReadWithDefaults(data, empty);
        Remember(cache, key, new Cached<T>(stamp.Value, parsed), bound);
        return parsed;
    }

    private void Remember<TKey, T>(ConcurrentDictionary<TKey, Cached<T>> cache, TKey key, Cached<T> entry, int bound)
        where TKey : notnull
    {
        // Stamp 0 marks rows written before stamps existed: many rows share it, so it proves nothing.
        if (!CachesHistories || entry.Stamp == 0)
        {
            return;
        }

        if (cache.Count >= bound && !cache.ContainsKey(key))
        {
            cache.Clear();
        }

        cache[key] = entry;
    }

    private static long NewStamp() => (BitConverter.ToInt64(RandomNumberGenerator.GetBytes(8)) & long.MaxValue) | 1;

    private sealed record Cached<T>(long Stamp, T Aggregate);

    private sealed class HistoryRow
    {
        public long? AgentStamp { get; set; }

        public string? AgentData { get; set; }

        public long? TaskStamp { get; set; }

        public string? TaskData { get; set; }
    }
}
