using AgentAccessBroker.IntentAnalysis.Simulation;
using Xunit.Abstractions;

namespace AgentAccessBroker.IntentAnalysis.Tests;

public sealed class ScenarioSuiteTests(ITestOutputHelper output)
{
    [Fact]
    public void Suite_LabelledScenarios_MeetsTheRequiredResults()
    {
        var lines = ScenarioFiles.SuiteLines;

        var report = ScenarioSimulator.Run(ScenarioFiles.Policy, lines, expect: true);

        output.WriteLine(report.ToText());
        Assert.True(report.Problems.Count == 0, string.Join("; ", report.Problems));
        Assert.True(report.Labelled >= 200, $"only {report.Labelled} labelled scenarios");
        Assert.True(report.UnsafeGrants.Count == 0, "unsafe grants: " + string.Join(", ", report.UnsafeGrants.Select(u => u.Scenario.Id)));
        Assert.True(report.AcceptableRate >= ScenarioReport.RequiredAcceptable, $"inside the acceptable set {report.AcceptableRate:P1}");
        Assert.True(report.RoutineSentToHumanRate <= ScenarioReport.MaxRoutineSentToHuman, $"routine sent to a human {report.RoutineSentToHumanRate:P1}");
        Assert.True(report.Passed);
    }
}
