using AgentAccessBroker.Decisions;
using AgentAccessBroker.Domain;
using AgentAccessBroker.Policy;

namespace AgentAccessBroker.IntentAnalysis.Tests;

/// <summary>Builds assessment inputs against <see cref="TestPolicy"/> with readable defaults.</summary>
internal sealed record Inputs(
    string Task = "Fix the failing nightly billing export: invoice files are missing from the exports bucket",
    string? Environment = "prod",
    string[]? Hints = null,
    string Agent = "bot",
    string Target = TestPolicy.Prod,
    string[]? Resources = null,
    string[]? Actions = null,
    string Purpose = "Read last night's billing export logs to find why the export failed",
    TimeSpan? Duration = null,
    BehaviourHistory? History = null,
    BrokerPolicy? Policy = null)
{
    public static readonly DateTimeOffset Now = new(2026, 11, 21, 10, 0, 0, TimeSpan.Zero);

    public const string ExportLogs = "arn:aws:logs:eu-west-1:222222222222:log-group:/prod/billing-export-job";
    public const string ExportsBucket = "arn:aws:s3:::prod-billing-exports";
    public const string ExportObjects = "arn:aws:s3:::prod-billing-exports/*";
    public const string HrDocuments = "arn:aws:s3:::prod-hr-documents/*";

    public AssessmentInput Build()
    {
        var policy = Policy ?? TestPolicy.Create();
        var target = policy.FindTarget(Target) ?? throw new InvalidOperationException("unknown target " + Target);
        var resources = Resources ?? [ExportLogs];
        var task = new BrokerTask("task-1", Task, "alice", Agent, Hints ?? [], Environment, Now.AddHours(-1), null, TaskState.Active, null);
        var request = new AccessRequest("req-1", Agent, task.Id, Target, resources, Actions ?? ["logs:GetLogEvents"], Purpose, Duration ?? TimeSpan.FromMinutes(30),
            Now, RequestStatus.Pending, null, null, null, null);
        return new AssessmentInput(request, task, policy, target, policy.FindAgent(Agent),
            [.. resources.Select(r => new ResolvedResource(r, target.Match(r)))], History ?? BehaviourHistory.Empty(Agent, task.Id), Now, TestVocabularies.All.For(target.Connector));
    }

    public Assessment Assess() => new IntentAnalyzer().Assess(Build());

    /// <summary>Folds a decided request into a history, as the store would.</summary>
    public static BehaviourHistory After(BehaviourHistory history, Inputs request, DecisionKind decision, DateTimeOffset at)
    {
        var input = request.Build();
        history = HistoryFold.RecordRequest(history, at);
        return HistoryFold.RecordOutcome(history, HistoryOutcomes.Describe(input, decision, at), false);
    }
}
