using AgentAccessBroker.Decisions;

namespace AgentAccessBroker.Storage;

public abstract partial class BrokerStore
{
    /// <inheritdoc />
    public async Task<BehaviourHistory> GetHistoryAsync(string agentId, string taskId, CancellationToken cancellationToken)
    {
        // One statement, so both aggregates come from the same snapshot.
        var row = await QuerySingleOrDefaultAsync<HistoryRow>(
            """
            SELECT (SELECT data FROM aab_agent_history WHERE agent_id = @AgentId) AS AgentData,
                   (SELECT data FROM aab_task_history WHERE agent_id = @AgentId AND task_id = @TaskId) AS TaskData
            """,
            new { AgentId = agentId, TaskId = taskId },
            cancellationToken);
        return ReadHistory(agentId, taskId, row?.AgentData, row?.TaskData);
    }

    /// <inheritdoc />
    public Task<BehaviourHistory> UpdateHistoryAsync(
        string agentId, string taskId, Func<BehaviourHistory, BehaviourHistory> update, CancellationToken cancellationToken) =>
        WriteAsync(scope => UpdateHistoryAsync(scope, agentId, taskId, update, cancellationToken), cancellationToken);

    private protected async Task<BehaviourHistory> UpdateHistoryAsync(
        WriteScope scope, string agentId, string taskId, Func<BehaviourHistory, BehaviourHistory> update, CancellationToken cancellationToken)
    {
        var key = new { AgentId = agentId, TaskId = taskId };
        var (agentData, taskData) = await LockHistoryRowsAsync(scope, key, cancellationToken);
        if (agentData is null || taskData is null)
        {
            // A task's first request: a row lock cannot protect a row that is not there yet, so create the missing
            // rows (a concurrent creator wins harmlessly), then lock them.
            await WriteHistoryRowsAsync(
                scope,
                "INSERT INTO aab_agent_history (agent_id, data) VALUES (@AgentId, @Data) ON CONFLICT (agent_id) DO NOTHING",
                "INSERT INTO aab_task_history (agent_id, task_id, data) VALUES (@AgentId, @TaskId, @Data) ON CONFLICT (agent_id, task_id) DO NOTHING",
                agentId,
                taskId,
                BehaviourHistory.Empty(agentId, taskId),
                cancellationToken);
            (agentData, taskData) = await LockHistoryRowsAsync(scope, key, cancellationToken);
        }

        var updated = update(ReadHistory(agentId, taskId, agentData, taskData));

        await WriteHistoryRowsAsync(
            scope,
            "UPDATE aab_agent_history SET data = @Data WHERE agent_id = @AgentId",
            "UPDATE aab_task_history SET data = @Data WHERE agent_id = @AgentId AND task_id = @TaskId",
            agentId,
            taskId,
            updated,
            cancellationToken);
        return updated;
    }

    /// <summary>
    /// Reads and locks both rows, the agent's first, always: the task row is not even read (so not locked) unless the
    /// agent row is held, so no two updates can ever hold them in opposite order and deadlock.
    /// </summary>
    private async Task<(string? Agent, string? Task)> LockHistoryRowsAsync(WriteScope scope, object key, CancellationToken cancellationToken)
    {
        var agent = await QueryRowAsync<string?>(
            scope, "SELECT data FROM aab_agent_history WHERE agent_id = @AgentId" + ForUpdate, key, r => r.GetString(0), null, cancellationToken);
        if (agent is null)
        {
            return (null, null);
        }

        return (agent, await QueryRowAsync<string?>(
            scope, "SELECT data FROM aab_task_history WHERE agent_id = @AgentId AND task_id = @TaskId" + ForUpdate, key, r => r.GetString(0), null, cancellationToken));
    }

    private static async Task WriteHistoryRowsAsync(
        WriteScope scope, string agentSql, string taskSql, string agentId, string taskId, BehaviourHistory history, CancellationToken cancellationToken)
    {
        // Keyed by the ids asked for, never by ids inside the (caller-built) history, so an update cannot move a row.
        await ExecuteAsync(scope, agentSql, new { AgentId = agentId, Data = StoredJson.Write(history.Agent) }, cancellationToken);
        await ExecuteAsync(scope, taskSql, new { AgentId = agentId, TaskId = taskId, Data = StoredJson.Write(history.Task) }, cancellationToken);
    }

    private static BehaviourHistory ReadHistory(string agentId, string taskId, string? agentData, string? taskData)
    {
        var agent = AgentHistory.Empty(agentId);
        var task = TaskHistory.Empty(agentId, taskId);
        return new BehaviourHistory(
            agentData is null ? agent : StoredJson.ReadWithDefaults(agentData, agent),
            taskData is null ? task : StoredJson.ReadWithDefaults(taskData, task));
    }

    private sealed class HistoryRow
    {
        public string? AgentData { get; set; }

        public string? TaskData { get; set; }
    }
}
