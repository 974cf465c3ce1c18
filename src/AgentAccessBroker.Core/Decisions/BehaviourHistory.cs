namespace AgentAccessBroker.Decisions;

/// <summary>
/// Incremental aggregates of an agent's past requests, overall and within the current task. The store keeps one
/// snapshot per agent and one per (agent, task) and folds each new outcome in with <see cref="HistoryFold"/>, so an
/// assessment reads two small rows instead of scanning history.
/// </summary>
public sealed record BehaviourHistory(AgentHistory Agent, TaskHistory Task)
{
    public static BehaviourHistory Empty(string agentId, string taskId) => new(AgentHistory.Empty(agentId), TaskHistory.Empty(agentId, taskId));
}

/// <summary>What an agent did across all its tasks.</summary>
/// <param name="GrantCounts">Automatic or approved grants per <c>target|resource|actionclass</c> key.</param>
/// <param name="SeenResources">Every <c>target|resource</c> the agent has asked for.</param>
/// <param name="SeenActionClasses">Every action class the agent has asked for.</param>
/// <param name="RecentRequestTimes">The last requests' times, newest last, bounded, for velocity.</param>
public sealed record AgentHistory(
    string AgentId,
    int TotalRequests,
    int TotalDenials,
    IReadOnlyDictionary<string, int> GrantCounts,
    IReadOnlyList<string> SeenResources,
    IReadOnlyList<string> SeenActionClasses,
    IReadOnlyList<DateTimeOffset> RecentRequestTimes)
{
    public static AgentHistory Empty(string agentId) =>
        new(agentId, 0, 0, new Dictionary<string, int>(), [], [], []);
}

/// <summary>What an agent did within one task.</summary>
/// <param name="ConsecutiveDenials">Denials since the last grant in this task.</param>
/// <param name="DeniedPurposes">Normalised purposes of denied requests, to spot rewording after a denial.</param>
/// <param name="Signals">Chain markers raised by earlier requests (<c>identity_created</c>, <c>logging_weakened</c>...).</param>
/// <param name="MaxResourceCount">The widest request so far (resources × actions), for scope creep.</param>
/// <remarks>
/// Stored as JSON by the store. Properties added after the first release are init-only with a default so that older
/// rows still load; every list is bounded by <see cref="HistoryFold"/>.
/// </remarks>
public sealed record TaskHistory(
    string AgentId,
    string TaskId,
    int Requests,
    int Denials,
    int ConsecutiveDenials,
    IReadOnlyList<string> DeniedPurposes,
    IReadOnlyList<string> Signals,
    IReadOnlyList<string> TouchedResources,
    int MaxResourceCount,
    bool HumanReviewMode)
{
    /// <summary><c>target|resource|actionclass</c> of denied requests, to recognise asking again for the same thing.</summary>
    public IReadOnlyList<string> DeniedRequestKeys { get; init; } = [];

    /// <summary>The most risky action class requested so far in the task (granted or not), for scope creep; null before any.</summary>
    public Domain.ActionClass? HighestActionClass { get; init; }

    public static TaskHistory Empty(string agentId, string taskId) => new(agentId, taskId, 0, 0, 0, [], [], [], 0, false);
}
