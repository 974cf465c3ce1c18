using AgentAccessBroker.Decisions;
using AgentAccessBroker.IntentAnalysis.Simulation;

namespace AgentAccessBroker.IntentAnalysis.Tests;

/// <summary>
/// The benchmark inputs (Scenarios/benchmark-10000-events.jsonl): each scenario carries 10,000 history events, folded
/// through <see cref="HistoryFold"/> into bounded aggregates, which is all an assessment reads.
/// </summary>
public sealed class BenchmarkScenarioTests
{
    private static readonly string[] Lines = File.ReadAllLines(Path.Combine(ScenarioFiles.Directory, "benchmark-10000-events.jsonl"));

    [Fact]
    public void Parse_BenchmarkScenario_FoldsTenThousandEventsIntoBoundedAggregates()
    {
        foreach (var line in Lines)
        {
            var scenario = ScenarioSimulator.Parse(ScenarioFiles.Policy, line);

            var history = scenario.Input.History;
            Assert.Equal(10_000, history.Agent.TotalRequests);
            Assert.True(history.Agent.RecentRequestTimes.Count <= HistoryFold.RecentRequestWindow);
            Assert.True(history.Agent.SeenResources.Count <= HistoryFold.MaxRemembered);
            Assert.True(history.Agent.GrantCounts.Count <= HistoryFold.MaxGrantKeys);
            Assert.True(history.Task.DeniedPurposes.Count <= HistoryFold.MaxDeniedPurposes);
        }
    }

    [Fact]
    public void Run_BenchmarkScenarios_DecideAsLabelled()
    {
        var report = ScenarioSimulator.Run(ScenarioFiles.Policy, Lines, expect: true);

        Assert.Equal(3, report.Labelled);
        Assert.True(report.Disagreements.Count == 0, report.ToText());
    }
}
