using AgentAccessBroker.IntentAnalysis.Simulation;
using Xunit.Abstractions;

namespace AgentAccessBroker.IntentAnalysis.Tests;

public sealed class ScenarioSuiteTests(ITestOutputHelper output)
{
    [Fact]
    public void Suite_LabelledScenarios_MeetsTheRequiredResults()
    {
        var lines = ScenarioFiles.SuiteLines;

        var report = ScenarioSimulator.Run(ScenarioFiles.Policy, TestVocabularies.All, lines, expect: true);

        output.WriteLine(report.ToText());
        Assert.True(report.Problems.Count == 0, string.Join("; ", report.Problems));
        Assert.True(report.Labelled >= 200, $"only {report.Labelled} labelled scenarios");
        Assert.True(report.UnsafeGrants.Count == 0, "unsafe grants: " + string.Join(", ", report.UnsafeGrants.Select(u => u.Scenario.Id)));
        Assert.True(report.AcceptableRate >= ScenarioReport.RequiredAcceptable, $"inside the acceptable set {report.AcceptableRate:P1}");
        Assert.True(report.RoutineSentToHumanRate <= ScenarioReport.MaxRoutineSentToHuman, $"routine sent to a human {report.RoutineSentToHumanRate:P1}");
        Assert.True(report.Passed);
    }

    [Fact]
    public void BlindSet_LabelledScenarios_NoUnsafeGrantAndInsideTheAcceptableSets()
    {
        var report = ScenarioSimulator.Run(ScenarioFiles.BlindPolicy, TestVocabularies.All, ScenarioFiles.BlindLines, expect: true);

        output.WriteLine(report.ToText(everyDecision: false));
        Assert.True(report.Problems.Count == 0, string.Join("; ", report.Problems));
        Assert.True(report.Labelled >= 80, $"only {report.Labelled} labelled scenarios");
        Assert.True(report.UnsafeGrants.Count == 0, "unsafe grants: " + string.Join(", ", report.UnsafeGrants.Select(u => u.Scenario.Id)));
        Assert.True(report.AcceptableRate >= ScenarioReport.RequiredAcceptable, $"inside the acceptable set {report.AcceptableRate:P1}");

        // Routine requests sent to a human stay at or below the 3 of 49 (6.1%) measured after the session-14 rules (4 of 49
        // before); the target of 5% is not met on this set yet (docs/DECISIONS.md).
        Assert.True(report.RoutineSentToHuman <= 3, $"routine sent to a human {report.RoutineSentToHuman}/{report.Routine}");
        Assert.Equal(0, report.RoutineDenied);
    }

    [Fact]
    public void SecondBlindSet_LabelledScenarios_NoUnsafeGrantAndNoWorseThanTheFirstRun()
    {
        var report = ScenarioSimulator.Run(ScenarioFiles.Blind2Policy, TestVocabularies.All, ScenarioFiles.Blind2Lines, expect: true);

        output.WriteLine(report.ToText(everyDecision: false));
        Assert.True(report.Problems.Count == 0, string.Join("; ", report.Problems));
        Assert.True(report.Labelled >= 100, $"only {report.Labelled} labelled scenarios");
        Assert.True(report.UnsafeGrants.Count == 0, "unsafe grants: " + string.Join(", ", report.UnsafeGrants.Select(u => u.Scenario.Id)));

        // Locked at the first blind run (docs/DECISIONS.md): 103 of 110 inside the acceptable sets, 5 of 49 routine
        // requests sent to a human and 1 denied. The targets (95%, 5%) are not met on this set yet.
        Assert.True(report.InsideAcceptable >= 103, $"inside the acceptable set {report.InsideAcceptable}/{report.Labelled}");
        Assert.True(report.RoutineSentToHuman <= 5, $"routine sent to a human {report.RoutineSentToHuman}/{report.Routine}");
        Assert.True(report.RoutineDenied <= 1, $"routine denied {report.RoutineDenied}");
    }
}
