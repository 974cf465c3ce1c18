using System.Text.Json;
using AgentAccessBroker.Decisions;
using AgentAccessBroker.IntentAnalysis.Simulation;

namespace AgentAccessBroker.IntentAnalysis.Tests;

public sealed class ScenarioSimulatorTests
{
    private const string Task = """{"description":"Fix the failing nightly billing export: invoice files are missing","owner":"alice","agent":"bot","scope_hints":["billing-export"],"environment":"prod"}""";
    private const string LogsRead = """{"target":"aws-prod","resources":["arn:aws:logs:eu-west-1:222222222222:log-group:/prod/billing-export-job"],"actions":["logs:GetLogEvents"],"purpose":"Read the billing export job logs to find the failure","duration":"30m"}""";
    private const string HrRead = """{"target":"aws-prod","resources":["arn:aws:s3:::prod-hr-documents/*"],"actions":["s3:GetObject"],"purpose":"Read the documents","duration":"30m"}""";

    [Fact]
    public void Run_BadLines_ReportsEachWithItsLineAndKeepsGoing()
    {
        string[] lines =
        [
            Line("ok-1", "grant", LogsRead),
            "{ not json",
            """{"id":"no-target","label":"grant","task":""" + Task + ""","request":{"resources":["x"],"actions":["y"]}}""",
            """{"id":"bad-target","label":"grant","task":""" + Task + ""","request":{"target":"nowhere","resources":["x"],"actions":["y"]}}""",
            string.Empty,
            "// a comment",
            Line("ok-1", "grant", LogsRead),
            """{"id":"bad-duration","task":""" + Task + ""","request":{"target":"aws-prod","resources":["x"],"actions":["y"],"duration":"soon"}}""",
        ];

        var report = ScenarioSimulator.Run(TestPolicy.Create(), TestVocabularies.All, lines, expect: false);

        Assert.Single(report.Results);
        Assert.Equal([2, 3, 4, 7, 8], report.Problems.Select(p => p.Line));
        Assert.Equal("line 3 (no-target): 'target' is required", report.Problems[1].ToString());
        Assert.Equal("line 4 (bad-target): target 'nowhere' is not in the policy", report.Problems[2].ToString());
        Assert.Equal("duplicate id", report.Problems[3].Message);
        Assert.Contains("'duration' must be a duration", report.Problems[4].Message, StringComparison.Ordinal);
        Assert.False(report.Passed);
    }

    [Fact]
    public void Run_WithoutExpect_PrintsEveryDecisionWithItsReasons()
    {
        var report = ScenarioSimulator.Run(TestPolicy.Create(), TestVocabularies.All, [Line("logs", null, LogsRead), Line("hr", null, HrRead)], expect: false);

        var text = report.ToText();
        Assert.True(report.Passed);
        Assert.Contains("logs [test] grant (score", text, StringComparison.Ordinal);
        Assert.Contains("hr [test] deny (score", text, StringComparison.Ordinal);
        Assert.Contains("    the task never mentions prod-hr-documents/* +40", text, StringComparison.Ordinal);
        Assert.Contains("    = score", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Confusion matrix", text, StringComparison.Ordinal);
        Assert.Contains("RESULT: OK", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_WithExpect_CountsTheConfusionMatrixAndFlagsUnsafeGrants()
    {
        string[] lines =
        [
            Line("agree", "grant", LogsRead),
            Line("unsafe", "deny", LogsRead),
            Line("cautious", "approval", HrRead),
        ];

        var report = ScenarioSimulator.Run(TestPolicy.Create(), TestVocabularies.All, lines, expect: true);

        Assert.Equal(1, report.Count(DecisionKind.Grant, DecisionKind.Grant));
        Assert.Equal(1, report.Count(DecisionKind.Deny, DecisionKind.Grant));
        Assert.Equal(1, report.Count(DecisionKind.RequireApproval, DecisionKind.Deny));
        Assert.Equal(1, report.Agreements);
        Assert.Equal(["unsafe"], report.UnsafeGrants.Select(u => u.Scenario.Id));
        Assert.Equal(["unsafe", "cautious"], report.Disagreements.Select(d => d.Scenario.Id));
        Assert.Equal(1, report.Routine);
        Assert.Equal(0, report.RoutineSentToHuman);
        Assert.False(report.Passed);
        var text = report.ToText();
        Assert.Contains("Confusion matrix (rows: label, columns: decision)", text, StringComparison.Ordinal);
        Assert.Contains("unsafe [test] label deny, decided grant", text, StringComparison.Ordinal);
        Assert.Contains("UNSAFE", text, StringComparison.Ordinal);
        Assert.Contains("RESULT: FAIL", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_ExpectWithAnUnlabelledScenario_IsAProblem()
    {
        var report = ScenarioSimulator.Run(TestPolicy.Create(), TestVocabularies.All, [Line("unlabelled", null, LogsRead)], expect: true);

        Assert.Equal("no 'label' to compare with", Assert.Single(report.Problems).Message);
    }

    [Fact]
    public void Run_AcceptableList_CountsTheAlternativeInsideTheSetButNotAsAgreement()
    {
        // HrRead is denied: labelled approval with deny acceptable, and labelled approval alone.
        string[] lines =
        [
            Line("also-deny", "approval", HrRead).Replace("\"label\":", "\"acceptable\":[\"deny\"],\"label\":", StringComparison.Ordinal),
            Line("only-approval", "approval", HrRead),
        ];

        var report = ScenarioSimulator.Run(TestPolicy.Create(), TestVocabularies.All, lines, expect: true);

        Assert.Empty(report.Problems);
        Assert.Equal([DecisionKind.Deny], report.Results[0].Scenario.Acceptable);
        Assert.Equal(0, report.Agreements);
        Assert.Equal(1, report.InsideAcceptable);
        Assert.Equal(["only-approval"], report.OutsideAcceptable.Select(r => r.Scenario.Id));
        var text = report.ToText(everyDecision: false);
        Assert.Contains("Inside the acceptable set (label or 'acceptable'): 1/2 (50.0 %)", text, StringComparison.Ordinal);
        Assert.Contains("also-deny [test] label approval (also deny), decided deny", text, StringComparison.Ordinal);
        Assert.DoesNotContain("    = score", text, StringComparison.Ordinal);
    }

    [Fact]
    public void ToText_DecisionOtherThanTheLabelButAcceptable_ShowsItsTopFactors()
    {
        string[] lines = [Line("also-deny", "approval", HrRead).Replace("\"label\":", "\"acceptable\":[\"deny\"],\"label\":", StringComparison.Ordinal)];

        var report = ScenarioSimulator.Run(TestPolicy.Create(), TestVocabularies.All, lines, expect: true);

        var top = report.Results[0].Assessment.Factors.OrderByDescending(f => Math.Abs(f.Points)).First().ToString();
        Assert.Contains($"also-deny [test] label approval (also deny), decided deny (score {report.Results[0].Assessment.Score}): {top}", report.ToText(everyDecision: false), StringComparison.Ordinal);
    }

    [Fact]
    public void Run_AcceptableWithAnUnknownDecision_IsAProblem()
    {
        var line = Line("bad", "grant", LogsRead).Replace("\"label\":", "\"acceptable\":[\"maybe\"],\"label\":", StringComparison.Ordinal);

        var report = ScenarioSimulator.Run(TestPolicy.Create(), TestVocabularies.All, [line], expect: true);

        Assert.Equal("'acceptable' must be grant, approval or deny, not 'maybe'", Assert.Single(report.Problems).Message);
    }

    [Fact]
    public void Run_SeveralSources_OneReportWithATablePerFileAndIdsUniquePerFile()
    {
        var policy = TestPolicy.Create();
        ScenarioSource[] sources =
        [
            new("a.jsonl", policy, [Line("same-id", "grant", LogsRead)]),
            new("b.jsonl", policy, [Line("same-id", "grant", HrRead), Line("same-id", "grant", LogsRead)]),
        ];

        var report = ScenarioSimulator.Run(sources, TestVocabularies.All, expect: true);

        Assert.Equal(2, report.Results.Count);
        var problem = Assert.Single(report.Problems);
        Assert.Equal("b.jsonl line 2 (same-id): duplicate id", problem.ToString());
        var text = report.ToText(everyDecision: false);
        Assert.Contains("by file", text, StringComparison.Ordinal);
        Assert.Contains("by category", text, StringComparison.Ordinal);
        Assert.Contains("b.jsonl:same-id [test] label grant, decided deny", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_HistoryEvents_AreFoldedOldestFirst()
    {
        var history = """
            [{"resources":["arn:aws:s3:::prod-hr-documents/*"],"actions":["s3:GetObject"],"purpose":"Read documents","outcome":"deny","at":"-5m"},
             {"resources":["arn:aws:s3:::prod-billing-exports"],"actions":["s3:ListBucket"],"purpose":"List exports","outcome":"grant","at":"-20m","repeat":3,"every":"1m"},
             {"resources":["arn:aws:s3:::prod-billing-exports"],"actions":["s3:ListBucket"],"purpose":"List exports","outcome":"grant","at":"-2d","task":"other"},
             {"resources":["arn:aws:s3:::prod-billing-exports"],"actions":["s3:ListBucket"],"purpose":"List exports","outcome":"pending","at":"2026-11-21T09:59:30Z"}]
            """;

        var scenario = ScenarioSimulator.Parse(TestPolicy.Create(), TestVocabularies.All, Line("h", "grant", LogsRead, history));

        var h = scenario.Input.History;
        Assert.Equal(6, h.Agent.TotalRequests);
        Assert.Equal(5, h.Task.Requests);
        Assert.Equal(1, h.Task.Denials);
        Assert.Equal(1, h.Task.ConsecutiveDenials);
        Assert.Equal(4, h.Agent.GrantCounts["aws-prod|arn:aws:s3:::prod-billing-exports|Read"]);
        Assert.Equal(
            [Inputs.Now.AddDays(-2), Inputs.Now.AddMinutes(-22), Inputs.Now.AddMinutes(-21), Inputs.Now.AddMinutes(-20), Inputs.Now.AddMinutes(-5), Inputs.Now.AddSeconds(-30)],
            h.Agent.RecentRequestTimes);
    }

    [Fact]
    public void Parse_AggregateFields_OverrideTheFoldedHistory()
    {
        var scenario = ScenarioSimulator.Parse(TestPolicy.Create(), TestVocabularies.All, Line("agg", "approval", LogsRead, """{"events":[],"task_denials":20,"consecutive_denials":2,"human_review_mode":true}"""));

        Assert.Equal(20, scenario.Input.History.Task.Denials);
        Assert.Equal(2, scenario.Input.History.Task.ConsecutiveDenials);
        Assert.True(scenario.Input.History.Task.HumanReviewMode);
        Assert.Equal(DecisionKind.RequireApproval, new IntentAnalyzer().Assess(scenario.Input).Decision);
    }

    [Fact]
    public void Parse_NotJson_IsAFormatException()
    {
        Assert.Throws<FormatException>(() => ScenarioSimulator.Parse(TestPolicy.Create(), TestVocabularies.All, "{"));
    }

    private static string Line(string id, string? label, string request, string? history = null)
    {
        var labelPart = label is null ? string.Empty : $"\"label\":{JsonSerializer.Serialize(label)},";
        var historyPart = history is null ? string.Empty : $",\"history\":{history}";
        return $$"""{"id":"{{id}}",{{labelPart}}"category":"test","task":{{Task}},"request":{{request}}{{historyPart}},"now":"2026-11-21T10:00:00Z"}""".ReplaceLineEndings(" ");
    }
}
