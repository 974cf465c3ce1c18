using System.Diagnostics;
using System.Text.Json;
using AgentAccessBroker.Decisions;
using AgentAccessBroker.Domain;
using AgentAccessBroker.IntentAnalysis.Classification;
using Xunit.Abstractions;

namespace AgentAccessBroker.IntentAnalysis.Tests;

public sealed class HistoryFoldTests(ITestOutputHelper output)
{
    private static readonly Inputs CreateRole = new(Target: TestPolicy.Dev, Environment: "dev", Resources: ["arn:aws:iam::111111111111:role/dev-x"],
        Actions: ["iam:CreateRole"], Purpose: "Create the pipeline role");

    [Fact]
    public void RecordOutcome_Denial_CountsItAndRemembersWhatWasDenied()
    {
        var history = Inputs.After(BehaviourHistory.Empty("bot", "task-1"), CreateRole, DecisionKind.Deny, Inputs.Now);

        Assert.Equal(1, history.Task.Denials);
        Assert.Equal(1, history.Task.ConsecutiveDenials);
        Assert.Equal(1, history.Agent.TotalDenials);
        Assert.Equal(["identity pipelin write"], history.Task.DeniedPurposes);
        Assert.Equal(["aws-dev|arn:aws:iam::111111111111:role/dev-x|PrivilegeChange"], history.Task.DeniedRequestKeys);
        Assert.Empty(history.Task.Signals);
        Assert.Equal(ActionClass.PrivilegeChange, history.Task.HighestActionClass);
    }

    [Fact]
    public void RecordOutcome_Grant_LeavesChainSignalsAndResetsTheDenialRun()
    {
        var history = Inputs.After(BehaviourHistory.Empty("bot", "task-1"), CreateRole, DecisionKind.Deny, Inputs.Now.AddMinutes(-2));

        history = Inputs.After(history, CreateRole, DecisionKind.Grant, Inputs.Now);

        Assert.Equal(0, history.Task.ConsecutiveDenials);
        Assert.Equal(1, history.Task.Denials);
        Assert.Contains(ChainSignals.IdentityCreated, history.Task.Signals);
        Assert.Contains(ChainSignals.Environment("dev"), history.Task.Signals);
        Assert.Equal(1, history.Agent.GrantCounts["aws-dev|arn:aws:iam::111111111111:role/dev-x|PrivilegeChange"]);
    }

    [Fact]
    public void Describe_Outcome_NormalisesThePurposeLikeTheAnalyzer()
    {
        var outcome = HistoryOutcomes.Describe(CreateRole.Build(), DecisionKind.Grant, Inputs.Now);

        Assert.Equal([ActionClass.PrivilegeChange], outcome.ActionClasses);
        Assert.Equal(HistoryOutcomes.NormalisePurpose("creating the pipeline roles"), outcome.NormalisedPurpose);
    }

    [Fact]
    public void Fold_TenThousandEvents_KeepsEveryAggregateBounded()
    {
        var history = TenThousandEventHistory();

        Assert.Equal(10_000, history.Agent.TotalRequests);
        AssertBounded(history);
    }

    [Fact]
    public void RecordOutcome_GrantPastTheKeyBound_DropsTheLeastGrantedKeysLastInOrdinalOrder()
    {
        // A saturated agent: every key granted twice except four granted once, two of which sort after the new key.
        var counts = Enumerable.Range(0, HistoryFold.MaxGrantKeys).ToDictionary(i => $"old-{i:D4}", _ => 2, StringComparer.Ordinal);
        foreach (var once in new[] { "old-0001", "old-0002", "old-1022", "old-1023" })
        {
            counts[once] = 1;
        }

        var history = BehaviourHistory.Empty("bot", "task-1");
        history = history with { Agent = history.Agent with { GrantCounts = counts } };
        var twoResources = CreateRole with { Resources = ["arn:aws:iam::111111111111:role/dev-x", "arn:aws:iam::111111111111:role/dev-y"] };

        var after = Inputs.After(history, twoResources, DecisionKind.Grant, Inputs.Now).Agent.GrantCounts;

        // Two new keys counted once ("aws-dev|..." sorts before "old-..."): the two last once-granted keys make room.
        Assert.Equal(HistoryFold.MaxGrantKeys, after.Count);
        Assert.Equal(1, after["aws-dev|arn:aws:iam::111111111111:role/dev-x|PrivilegeChange"]);
        Assert.Equal(1, after["aws-dev|arn:aws:iam::111111111111:role/dev-y|PrivilegeChange"]);
        Assert.Equal([1, 1], new[] { after["old-0001"], after["old-0002"] });
        Assert.False(after.ContainsKey("old-1022"));
        Assert.False(after.ContainsKey("old-1023"));
        Assert.Equal(2, after["old-0000"]);
    }

    /// <summary>Every aggregate stays within the bounds <see cref="HistoryFold"/> promises.</summary>
    internal static void AssertBounded(BehaviourHistory history)
    {
        Assert.True(history.Agent.RecentRequestTimes.Count <= HistoryFold.RecentRequestWindow);
        Assert.True(history.Agent.SeenResources.Count <= HistoryFold.MaxRemembered);
        Assert.True(history.Agent.SeenActionClasses.Count <= HistoryFold.MaxRemembered);
        Assert.True(history.Agent.GrantCounts.Count <= HistoryFold.MaxGrantKeys);
        Assert.True(history.Task.TouchedResources.Count <= HistoryFold.MaxRemembered);
        Assert.True(history.Task.DeniedPurposes.Count <= HistoryFold.MaxDeniedPurposes);
        Assert.True(history.Task.DeniedRequestKeys.Count <= HistoryFold.MaxRemembered);
        Assert.True(history.Task.Signals.Count <= HistoryFold.MaxRemembered);
    }

    [Fact]
    public void History_JsonRoundTrip_KeepsEveryAggregate()
    {
        var history = Inputs.After(Inputs.After(BehaviourHistory.Empty("bot", "task-1"), CreateRole, DecisionKind.Deny, Inputs.Now.AddMinutes(-1)), CreateRole, DecisionKind.Grant, Inputs.Now);

        var json = JsonSerializer.Serialize(history);
        var back = JsonSerializer.Deserialize<BehaviourHistory>(json)!;

        Assert.Equal(history.Task.DeniedRequestKeys, back.Task.DeniedRequestKeys);
        Assert.Equal(history.Task.HighestActionClass, back.Task.HighestActionClass);
        Assert.Equal(history.Task.Signals, back.Task.Signals);
        Assert.Equal(history.Agent.GrantCounts, back.Agent.GrantCounts);
        Assert.Equal(history.Agent.RecentRequestTimes, back.Agent.RecentRequestTimes);
    }

    [Fact]
    public void History_JsonFromBeforeTheNewAggregates_LoadsWithDefaults()
    {
        var json = JsonSerializer.Serialize(BehaviourHistory.Empty("bot", "task-1"));
        var old = json.Replace(",\"DeniedRequestKeys\":[]", string.Empty, StringComparison.Ordinal).Replace(",\"HighestActionClass\":null", string.Empty, StringComparison.Ordinal);

        var back = JsonSerializer.Deserialize<BehaviourHistory>(old)!;

        Assert.DoesNotContain("DeniedRequestKeys", old, StringComparison.Ordinal);
        Assert.Empty(back.Task.DeniedRequestKeys);
        Assert.Null(back.Task.HighestActionClass);
    }

    [Fact]
    public void Assess_TenThousandEventHistory_IsDeterministic()
    {
        // History arrives as aggregates, so assessing reads a bounded amount of it. Timing is printed for information
        // only; the assertion is about correctness (the same answer every time), not speed.
        var input = new Inputs(History: TenThousandEventHistory()).Build();
        var analyzer = new IntentAnalyzer();
        var first = analyzer.Assess(input);
        var times = new double[2_000];
        var denied = input with { Request = input.Request with { Resources = [Inputs.HrDocuments], Actions = ["s3:PutObject"] } };
        denied = denied with { Resources = [new ResolvedResource(Inputs.HrDocuments, input.Target.Match(Inputs.HrDocuments))] };

        for (var i = 0; i < 3_000; i++)
        {
            analyzer.Assess(i % 2 == 0 ? input : denied);
        }

        for (var i = 0; i < times.Length; i++)
        {
            var start = Stopwatch.GetTimestamp();
            var again = analyzer.Assess(i % 2 == 0 ? input : denied);
            times[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
            if (i % 2 == 0)
            {
                Assert.Equal(first.Score, again.Score);
                Assert.Equal(first.Factors, again.Factors);
            }
        }

        Array.Sort(times);
        output.WriteLine($"informational only (build configuration and machine load vary): p50 {times[times.Length / 2]:F1} us, p99 {times[(int)(times.Length * 0.99)]:F1} us over {times.Length} assessments");
    }

    /// <summary>10,000 decided requests over 500 resources and 40 tasks, folded as the store would.</summary>
    internal static BehaviourHistory TenThousandEventHistory()
    {
        var policy = TestPolicy.Create();
        var target = policy.FindTarget(TestPolicy.Prod)!;
        var agent = AgentHistory.Empty("bot");
        var current = TaskHistory.Empty("bot", "task-1");
        var start = Inputs.Now.AddDays(-30);
        for (var i = 0; i < 10_000; i++)
        {
            var taskId = i % 40 == 0 ? "task-1" : "task-" + (i % 40);
            var resource = $"arn:aws:s3:::prod-billing-exports/2026/{i % 500}.csv";
            var request = new AccessRequest("r" + i, "bot", taskId, TestPolicy.Prod, [resource], [i % 7 == 0 ? "s3:PutObject" : "s3:GetObject"],
                $"Read export file {i % 500} for the billing export check", TimeSpan.FromMinutes(30), start, RequestStatus.Approved, null, null, null, null);
            var history = new BehaviourHistory(agent, taskId == "task-1" ? current : TaskHistory.Empty("bot", taskId));
            var at = start.AddMinutes(4 * i);
            history = HistoryFold.RecordRequest(history, at);
            var outcome = HistoryOutcomes.Describe(request, TestVocabularies.Aws, [new ResolvedResource(resource, target.Match(resource))], "prod", i % 11 == 0 ? DecisionKind.Deny : DecisionKind.Grant, at);
            history = HistoryFold.RecordOutcome(history, outcome, false);
            agent = history.Agent;
            if (taskId == "task-1")
            {
                current = history.Task;
            }
        }

        return new BehaviourHistory(agent, current);
    }
}
