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
            var scenario = ScenarioSimulator.Parse(ScenarioFiles.Policy, TestVocabularies.All, line);

            Assert.Equal(10_000, scenario.Input.History.Agent.TotalRequests);
            HistoryFoldTests.AssertBounded(scenario.Input.History);
        }
    }

    [Fact]
    public void Run_BenchmarkScenarios_DecideAsLabelled()
    {
        var report = ScenarioSimulator.Run(ScenarioFiles.Policy, TestVocabularies.All, Lines, expect: true);

        Assert.Equal(3, report.Labelled);
        Assert.True(report.Disagreements.Count == 0, report.ToText());
    }
}
