using System.Globalization;
using System.Text;
using AgentAccessBroker.Decisions;

namespace AgentAccessBroker.IntentAnalysis.Simulation;

/// <summary>
/// The outcome of a simulation: every decision with its score and reasons and, when labels were checked, the confusion
/// matrix, the disagreements and the three required results (no unsafe automatic grant, at least 90% agreement, at
/// most 10% of routine scenarios sent to a human).
/// </summary>
public sealed class ScenarioReport
{
    /// <summary>Least share of labelled scenarios whose decision must equal the label.</summary>
    public const double RequiredAgreement = 0.90;

    /// <summary>Largest share of routine scenarios (label grant) that may be sent to a human.</summary>
    public const double MaxRoutineSentToHuman = 0.10;

    private static readonly DecisionKind[] Kinds = [DecisionKind.Grant, DecisionKind.RequireApproval, DecisionKind.Deny];

    public ScenarioReport(IReadOnlyList<ScenarioResult> results, IReadOnlyList<ScenarioProblem> problems, bool expectationsChecked)
    {
        Results = results;
        Problems = problems;
        ExpectationsChecked = expectationsChecked;
        foreach (var r in results)
        {
            if (r.Scenario.Label is not { } label)
            {
                continue;
            }

            Labelled++;
            Matrix[(int)label, (int)r.Assessment.Decision]++;
            if (label == DecisionKind.Grant)
            {
                Routine++;
                RoutineSentToHuman += r.Assessment.Decision == DecisionKind.RequireApproval ? 1 : 0;
                RoutineDenied += r.Assessment.Decision == DecisionKind.Deny ? 1 : 0;
            }
        }

        Disagreements = [.. results.Where(r => !r.Agrees)];
        UnsafeGrants = [.. results.Where(r => r.IsUnsafeGrant)];
    }

    public IReadOnlyList<ScenarioResult> Results { get; }

    public IReadOnlyList<ScenarioProblem> Problems { get; }

    public bool ExpectationsChecked { get; }

    public int Labelled { get; }

    public int Agreements => Labelled - Disagreements.Count(d => d.Scenario.Label is not null);

    /// <summary>Share of labelled scenarios decided as labelled; 0 when none is labelled.</summary>
    public double Agreement => Labelled == 0 ? 0 : (double)Agreements / Labelled;

    public IReadOnlyList<ScenarioResult> Disagreements { get; }

    /// <summary>Automatic grants of scenarios labelled deny, or labelled approval on a high or critical resource.</summary>
    public IReadOnlyList<ScenarioResult> UnsafeGrants { get; }

    /// <summary>Scenarios labelled grant.</summary>
    public int Routine { get; }

    public int RoutineSentToHuman { get; }

    public int RoutineDenied { get; }

    public double RoutineSentToHumanRate => Routine == 0 ? 0 : (double)RoutineSentToHuman / Routine;

    /// <summary>
    /// Without labels: every line could be read. With labels: also no unsafe grant, agreement of at least
    /// <see cref="RequiredAgreement"/>, and at most <see cref="MaxRoutineSentToHuman"/> of routine scenarios sent to a human.
    /// </summary>
    public bool Passed => Problems.Count == 0
                          && (!ExpectationsChecked
                              || (UnsafeGrants.Count == 0 && Agreement >= RequiredAgreement && RoutineSentToHumanRate <= MaxRoutineSentToHuman));

    /// <summary>How many scenarios labelled <paramref name="label"/> were decided <paramref name="decision"/>.</summary>
    public int Count(DecisionKind label, DecisionKind decision) => Matrix[(int)label, (int)decision];

    private int[,] Matrix { get; } = new int[3, 3];

    public string ToText()
    {
        var text = new StringBuilder();
        foreach (var r in Results)
        {
            AppendResult(text, r);
        }

        foreach (var p in Problems)
        {
            text.Append("problem: ").AppendLine(p.ToString());
        }

        text.AppendLine();
        text.Append(CultureInfo.InvariantCulture, $"{Results.Count} scenarios assessed: ")
            .Append(string.Join(", ", Kinds.Select(k => $"{Results.Count(r => r.Assessment.Decision == k)} {Word(k)}")))
            .AppendLine();
        if (!ExpectationsChecked)
        {
            text.AppendLine(Problems.Count == 0 ? "RESULT: OK" : $"RESULT: {Problems.Count} unreadable scenario lines");
            return text.ToString();
        }

        text.AppendLine().AppendLine("Confusion matrix (rows: label, columns: decision)");
        text.Append(CultureInfo.InvariantCulture, $"{"",-10}").AppendJoin(string.Empty, Kinds.Select(k => $"{Word(k),10}")).AppendLine();
        foreach (var label in Kinds)
        {
            text.Append(CultureInfo.InvariantCulture, $"{Word(label),-10}").AppendJoin(string.Empty, Kinds.Select(k => $"{Count(label, k),10}")).AppendLine();
        }

        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Agreement: {Agreements}/{Labelled} ({Agreement:P1}); required at least {RequiredAgreement:P0}");
        text.AppendLine(CultureInfo.InvariantCulture, $"Unsafe automatic grants (label deny, or approval on a high/critical resource): {UnsafeGrants.Count}; required 0");
        text.AppendLine(CultureInfo.InvariantCulture, $"Routine scenarios (label grant) sent to a human: {RoutineSentToHuman}/{Routine} ({RoutineSentToHumanRate:P1}); required at most {MaxRoutineSentToHuman:P0}; denied: {RoutineDenied}");

        if (Disagreements.Count > 0)
        {
            text.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"Disagreements ({Disagreements.Count}):");
            foreach (var d in Disagreements)
            {
                var top = d.Assessment.Factors.OrderByDescending(f => Math.Abs(f.Points)).Take(3).Select(f => f.ToString());
                text.AppendLine(CultureInfo.InvariantCulture,
                    $"  {d.Scenario.Id} [{d.Scenario.Category}] label {Word(d.Scenario.Label!.Value)}, decided {Word(d.Assessment.Decision)} (score {d.Assessment.Score}){(d.IsUnsafeGrant ? " UNSAFE" : string.Empty)}: {string.Join("; ", top)}");
            }
        }

        text.AppendLine().AppendLine(Passed ? "RESULT: PASS" : "RESULT: FAIL");
        return text.ToString();
    }

    private void AppendResult(StringBuilder text, ScenarioResult r)
    {
        var a = r.Assessment;
        var label = ExpectationsChecked && r.Scenario.Label is { } l ? $"label {Word(l)} -> " : string.Empty;
        var mark = ExpectationsChecked && !r.Agrees ? "  <-- disagrees" : string.Empty;
        text.AppendLine(CultureInfo.InvariantCulture, $"{r.Scenario.Id} [{r.Scenario.Category}] {label}{Word(a.Decision)} (score {a.Score}){mark}");
        foreach (var f in a.Factors)
        {
            text.Append("    ").AppendLine(f.ToString());
        }

        foreach (var reason in a.Reasons)
        {
            text.Append("    = ").AppendLine(reason);
        }

        if (a.NarrowerRequest is { } narrower)
        {
            text.Append("    > ").AppendLine(narrower.Explanation);
        }
    }

    private static string Word(DecisionKind kind) => kind switch
    {
        DecisionKind.Grant => "grant",
        DecisionKind.RequireApproval => "approval",
        _ => "deny",
    };
}
