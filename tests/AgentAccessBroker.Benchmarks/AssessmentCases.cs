using AgentAccessBroker.Decisions;
using AgentAccessBroker.Domain;
using AgentAccessBroker.IntentAnalysis;
using AgentAccessBroker.IntentAnalysis.Simulation;
using AgentAccessBroker.Policy;
using AgentAccessBroker.Server.Hosting;

namespace AgentAccessBroker.Benchmarks;

/// <summary>
/// Assessment inputs whose agent history represents 10,000 events, each folded through <see cref="HistoryFold"/> as
/// the store folds them: the analyzer's three benchmark scenarios (one per decision, from
/// tests/AgentAccessBroker.IntentAnalysis.Tests/Scenarios), plus a worst case in which every bounded aggregate is full.
/// </summary>
internal static class AssessmentCases
{
    public const int HistoryEvents = 10_000;

    private static readonly string Directory = Path.Combine(AppContext.BaseDirectory, "Scenarios");
    private static readonly Lazy<IReadOnlyDictionary<string, AssessmentInput>> Cases = new(Load);

    public static IEnumerable<string> Names => ["grant", "approval", "deny", "saturated"];

    public static AssessmentInput Get(string name) => Cases.Value[name];

    private static Dictionary<string, AssessmentInput> Load()
    {
        var loaded = PolicyLoader.LoadFile(Path.Combine(Directory, "scenario-policy.yaml"), _ => []);
        var policy = loaded.Policy ?? throw new InvalidOperationException("scenario policy invalid: " + string.Join("; ", loaded.Problems));
        var cases = new Dictionary<string, AssessmentInput>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(Path.Combine(Directory, "benchmark-10000-events.jsonl")).Where(l => l.Trim().Length > 0))
        {
            var scenario = ScenarioSimulator.Parse(policy, BrokerConnectorCatalog.Vocabularies(), line);
            cases[scenario.Id.Replace("bench-", string.Empty, StringComparison.Ordinal)] = scenario.Input;
        }

        var approval = cases["approval"];
        cases["saturated"] = approval with { History = Saturated(approval, policy) };
        foreach (var (name, input) in cases)
        {
            if (input.History.Agent.TotalRequests != HistoryEvents)
            {
                throw new InvalidOperationException($"case {name}: history holds {input.History.Agent.TotalRequests} events, not {HistoryEvents}");
            }
        }

        return cases;
    }

    /// <summary>
    /// 10,000 events on distinct resources over ~35 days and 99 tasks, one in ten denied: the agent's seen resources and
    /// grant counts, and the task's denied purposes, all reach their bounds, which is the most an assessment ever reads.
    /// The current task's last 200 events keep it below the escalation limits, so the analyzer does its full work.
    /// </summary>
    private static BehaviourHistory Saturated(AssessmentInput input, BrokerPolicy policy)
    {
        var agentId = input.Request.AgentId;
        var history = BehaviourHistory.Empty(agentId, input.Task.Id);
        var other = TaskHistory.Empty(agentId, "other-0");
        for (var i = 0; i < HistoryEvents; i++)
        {
            var at = input.Now.AddMinutes(-5.0 * (HistoryEvents - i));
            var sameTask = i >= HistoryEvents - 200;
            var taskId = sameTask ? input.Task.Id : $"other-{i / 100}";
            if (!sameTask && other.TaskId != taskId)
            {
                other = TaskHistory.Empty(agentId, taskId);
            }

            var resource = $"arn:aws:s3:::prod-billing-exports/2026/{i}.csv";
            string[] actions = i % 3 == 0 ? ["s3:PutObject"] : ["s3:GetObject"];
            var decision = (sameTask ? i % 12 == 0 : i % 10 == 0) ? DecisionKind.Deny : DecisionKind.Grant;
            var request = new AccessRequest($"hist-{i}", agentId, taskId, input.Target.Name, [resource], actions,
                $"Read export file {i} to reconcile the invoice totals of customer {i % 97}", TimeSpan.FromMinutes(30), at, RequestStatus.Pending, null, null, null, null);

            var current = sameTask ? history : history with { Task = other };
            current = HistoryFold.RecordRequest(current, at);
            var humanReview = IntentAnalyzer.IsHumanReviewMode(current.Task, policy.Escalation);
            current = HistoryFold.RecordOutcome(current,
                HistoryOutcomes.Describe(request, input.Vocabulary, [new ResolvedResource(resource, input.Target.Match(resource))], input.Task.Environment, decision, at), humanReview);
            if (sameTask)
            {
                history = current;
            }
            else
            {
                other = current.Task;
                history = history with { Agent = current.Agent };
            }
        }

        if (history.Agent.SeenResources.Count != HistoryFold.MaxRemembered || history.Agent.GrantCounts.Count != HistoryFold.MaxGrantKeys
            || history.Task.DeniedPurposes.Count != HistoryFold.MaxDeniedPurposes || IntentAnalyzer.IsHumanReviewMode(history.Task, policy.Escalation))
        {
            throw new InvalidOperationException("the saturated history does not fill every bound, or it put the task in human review");
        }

        return history;
    }
}
