using AgentAccessBroker.IntentAnalysis.Simulation;
using AgentAccessBroker.Policy;
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

    /// <summary>
    /// The blind sets of issue #30, each held at its figures after the rules written from its misses (none is blind any
    /// more: each set's first run, the one the issue counts, and every later change are in docs/DECISIONS.md section 7).
    /// Every set: every line parses, no unsafe grant, no fewer decisions inside the acceptable sets, no more routine
    /// requests sent to a person, none denied; and where a set meets the 95% / 5% targets, it keeps meeting them.
    /// </summary>
    [Theory]
    // A parcel carrier: first run 0 unsafe, 93.0%, 6.1% + 2 denied; after the session-15 rules 110/114, 1/49.
    [InlineData("blind", "blind", 80, 110, 1, true, true)]
    // A hospital network: first run 2 unsafe, 93.6%, 10.2%; after the session-15 rules 106-107/110, 2/49.
    [InlineData("blind-2", "blind2", 100, 107, 2, true, true)]
    // Its GitHub part: first run 1 unsafe, 25/29, 4/13; now 28/29, 1/13 (7.7%: a read over every repository of the
    // organisation, which reaches high-sensitivity repositories).
    [InlineData("blind-2", "blind2-github", 25, 28, 1, true, false)]
    // A freight forwarder: first run 2 unsafe, 95.4%, 6.2%; after rules 18-21 106/108, 2/48; after rules 73-79 107/108.
    [InlineData("blind-3", "blind3", 100, 107, 1, true, true)]
    // A water utility: first run 4 unsafe, 95.0%, 11.7%; after rules 22-33 and 39 119/120, 2/60.
    [InlineData("blind-4", "blind4", 110, 119, 2, true, true)]
    // An insurer: first run 3 unsafe, 91.7%, 12.9%; after rules 29-56 139/144, 5/70 (7.1%); after rules 73-79 141/144.
    [InlineData("blind-5", "blind5", 140, 141, 5, true, false)]
    // A university: first run 4 unsafe, 91.7%, 4.6%; after rules 34-37 125/132 (94.7%), 3/65; after rules 73-79 129/132.
    [InlineData("blind-6", "blind6", 130, 129, 2, true, true)]
    // A marketplace: first run 2 unsafe, 91.4%, 7.1% + 1 denied; after rules 38-44 134/140, 4/70 (5.7%); after rules 73-79 136/140.
    [InlineData("blind-7", "blind7", 135, 136, 4, true, false)]
    // A city council: first run 5 unsafe, 90.4%, 20.9%; after rules 45-56 131/136, 9/67; after rules 73-79 132/136, 7/67 (10.4%: mostly writes to
    // high-sensitivity repositories, which the default limits always send to a person).
    [InlineData("blind-8", "blind8", 130, 132, 7, true, false)]
    // A telecom operator: first run 2 unsafe, 89.9%, 7.6% + 3 denied; after rules 50-56 135/139, 5/66; after rules 73-79 137/139, 4/66 (6.1%).
    [InlineData("blind-9", "blind9", 135, 137, 4, true, false)]
    // An airline: first run 2 unsafe, 94.3%, 4.6%; after rules 57-59 136/140, 2/65; after rules 73-79 137/140.
    [InlineData("blind-10", "blind10", 135, 137, 2, true, true)]
    // A pharmaceutical manufacturer: first run 2 unsafe, 88.7%, 5.1%; after rules 60-64 118/124, 3/59; after rules 73-79 119/124, 2/59.
    [InlineData("blind-11", "blind11", 120, 119, 2, true, true)]
    // A bank: first run 3 unsafe, 90.2%, 12.5%; after rules 66-70 125/132, 9/64; after rules 73-79 128/132, 9/64 (14.1%).
    [InlineData("blind-12", "blind12", 128, 128, 9, true, false)]
    // An energy retailer: first run 3 unsafe, 91.7%, 10.0%; after rules 71-72 one unsafe grant left (b13-069, a secret read
    // "maybe" useful), removed by rule 85: 127/132, 3/60.
    [InlineData("blind-13", "blind13", 128, 127, 3, true, true)]
    // A game studio: first run 0 unsafe, 96.4%, 9.9%; after rules 80-85 134/139, 5/71 (7.0%).
    [InlineData("blind-14", "blind14", 135, 134, 5, true, false)]
    // A food delivery platform: first run 2 unsafe, 96.3%, 9.5% + 2 denied; after rules 80-85 133/134, 4/63 (6.3%).
    [InlineData("blind-15", "blind15", 130, 133, 4, true, false)]
    // A hotel chain: first run 0 unsafe, 93.5%, 2.9%; after rules 86-88 132/139 (94.96%, just under the target), 2/69.
    [InlineData("blind-16", "blind16", 135, 132, 2, false, true)]
    // A car manufacturer: first run 0 unsafe, 96.4%, 7.8%; after rules 86-88 137/140, 5/64 (7.8%).
    [InlineData("blind-17", "blind17", 135, 137, 5, true, false)]
    // A retail chain: first run 0 unsafe, 94.8%, 7.5%; after rules 89-91 128/135 (94.8%), 5/67 (7.5%).
    [InlineData("blind-18", "blind18", 130, 128, 5, false, false)]
    // An HR and payroll SaaS: first run 2 unsafe, 94.9%, 13.2%; after rules 89-91 133/138, 7/68 (10.3%).
    [InlineData("blind-19", "blind19", 130, 133, 7, true, false)]
    public void BlindSet_LabelledScenarios_NoUnsafeGrantAndNoWorseThanAfterItsFixes(
        string folder, string stem, int minimumLabelled, int insideAcceptable, int routineSentToHuman, bool meetsAcceptableTarget, bool meetsRoutineTarget)
    {
        var report = RunWithoutUnsafeGrant(folder, stem, minimumLabelled);

        if (meetsAcceptableTarget)
        {
            Assert.True(report.AcceptableRate >= ScenarioReport.RequiredAcceptable, $"inside the acceptable set {report.AcceptableRate:P1}");
        }

        if (meetsRoutineTarget)
        {
            Assert.True(report.RoutineSentToHumanRate <= ScenarioReport.MaxRoutineSentToHuman, $"routine sent to a human {report.RoutineSentToHumanRate:P1}");
        }

        AssertNoWorseThan(report, insideAcceptable, routineSentToHuman);
    }

    /// <summary>Runs one labelled set and asserts what every set must hold: every line parses, enough are labelled, no unsafe grant.</summary>
    private ScenarioReport RunWithoutUnsafeGrant(string folder, string stem, int minimumLabelled)
    {
        var (policy, lines) = ScenarioFiles.BlindSet(folder, stem);
        var report = ScenarioSimulator.Run(policy, TestVocabularies.All, lines, expect: true);

        output.WriteLine(report.ToText(everyDecision: false));
        Assert.True(report.Problems.Count == 0, string.Join("; ", report.Problems));
        Assert.True(report.Labelled >= minimumLabelled, $"only {report.Labelled} labelled scenarios");
        Assert.True(report.UnsafeGrants.Count == 0, "unsafe grants: " + string.Join(", ", report.UnsafeGrants.Select(u => u.Scenario.Id)));
        return report;
    }

    /// <summary>Holds a set at its recorded figures: no fewer decisions inside the acceptable sets, no more routine requests to a human, none denied.</summary>
    private static void AssertNoWorseThan(ScenarioReport report, int insideAcceptable, int routineSentToHuman)
    {
        Assert.True(report.InsideAcceptable >= insideAcceptable, $"inside the acceptable set {report.InsideAcceptable}/{report.Labelled}");
        Assert.True(report.RoutineSentToHuman <= routineSentToHuman, $"routine sent to a human {report.RoutineSentToHuman}/{report.Routine}");
        Assert.Equal(0, report.RoutineDenied);
    }
}
