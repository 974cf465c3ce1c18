using AgentAccessBroker.Actions;
using AgentAccessBroker.Decisions;
using AgentAccessBroker.Domain;
using AgentAccessBroker.IntentAnalysis;
using AgentAccessBroker.Server.Hosting;

namespace AgentAccessBroker.Benchmarks;

/// <summary>
/// One realistic decided request of an agent's past on a PostgreSQL target: 2,000 distinct tables, one write in four,
/// one denial in ten, 100 requests per task. Folded with <see cref="HistoryFold"/>, as the broker folds every request.
/// </summary>
internal sealed record SyntheticEvent(string TaskId, DateTimeOffset At, HistoryOutcome Outcome)
{
    public const int EventsPerTask = 100;

    private static readonly IActionVocabulary Sql = BrokerConnectorCatalog.Vocabularies().For("postgresql");

    public static SyntheticEvent Create(string agent, int index)
    {
        var at = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero).AddMinutes(index);
        var table = $"app.public.table_{index % 2_000}";
        var request = new AccessRequest($"req-{index}", agent, TaskOf(index), "app-db", [table], index % 4 == 0 ? ["UPDATE"] : ["SELECT"],
            $"Check table {index % 2_000} for the billing export, run {index % 50}", TimeSpan.FromMinutes(15), at, RequestStatus.Pending, null, null, null, null);
        var decision = index % 10 == 7 ? DecisionKind.Deny : DecisionKind.Grant;
        return new SyntheticEvent(request.TaskId, at, HistoryOutcomes.Describe(request, Sql, [new ResolvedResource(table, null)], "dev", decision, at));
    }

    /// <summary>The task the event at <paramref name="index"/> belongs to.</summary>
    public static string TaskOf(int index) => $"task-{index / EventsPerTask}";

    /// <summary>
    /// The aggregates after <paramref name="count"/> events, computed in memory: the agent's, and its last task's.
    /// The fold is pure, so this is what the store holds after recording the same events one by one.
    /// </summary>
    public static BehaviourHistory Fold(string agent, int count)
    {
        var history = BehaviourHistory.Empty(agent, TaskOf(0));
        for (var i = 0; i < count; i++)
        {
            var e = Create(agent, i);
            if (e.TaskId != history.Task.TaskId)
            {
                history = history with { Task = TaskHistory.Empty(agent, e.TaskId) };
            }

            history = e.FoldInto(history);
        }

        return history;
    }

    public BehaviourHistory FoldInto(BehaviourHistory history) =>
        HistoryFold.RecordOutcome(HistoryFold.RecordRequest(history, At), Outcome, humanReviewMode: false);
}
