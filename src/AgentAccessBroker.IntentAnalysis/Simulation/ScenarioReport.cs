using System.Globalization;
using System.Text;
using AgentAccessBroker.Decisions;

namespace AgentAccessBroker.IntentAnalysis.Simulation;

/// <summary>
/// The outcome of a simulation: every decision with its score and reasons and, when labels were checked, the confusion
/// matrix, a table per category (and per file when there are several), the disagreements with their top factors and the
/// three required results (no unsafe automatic grant, at least <see cref="RequiredAcceptable"/> of decisions inside each
/// scenario's acceptable set, at most <see cref="MaxRoutineSentToHuman"/> of routine scenarios sent to a human).
/// </summary>
public sealed class ScenarioReport
{
    /// <summary>Least share of labelled scenarios whose decision must be the label or one of the scenario's acceptable decisions.</summary>
    public const double RequiredAcceptable = 0.95;

    /// <summary>Largest share of routine scenarios (label grant) that may be sent to a human.</summary>
    public const double MaxRoutineSentToHuman = 0.05;

    /// <summary>How many factors each disagreement shows, largest first.</summary>
    public const int TopFactors = 4;

    private static readonly DecisionKind[] Kinds = [DecisionKind.Grant, DecisionKind.RequireApproval, DecisionKind.Deny];

    public ScenarioReport(IReadOnlyList<ScenarioResult> results, IReadOnlyList<ScenarioProblem> problems, bool expectationsChecked)
    {
        Results = results;
        Problems = problems;
        ExpectationsChecked = expectationsChecked;
        Totals = Tally.Of(results);
        foreach (var r in results)
        {
            if (r.Scenario.Label is { } label)
            {
                Matrix[(int)label, (int)r.Assessment.Decision]++;
            }
        }

        Disagreements = [.. results.Where(r => !r.Agrees)];
        OutsideAcceptable = [.. results.Where(r => !r.IsAcceptable)];
        UnsafeGrants = [.. results.Where(r => r.IsUnsafeGrant)];
    }

    public IReadOnlyList<ScenarioResult> Results { get; }

    public IReadOnlyList<ScenarioProblem> Problems { get; }

    public bool ExpectationsChecked { get; }

    public int Labelled => Totals.Labelled;

    /// <summary>Labelled scenarios decided exactly as labelled.</summary>
    public int Agreements => Totals.Agreements;

    /// <summary>Share of labelled scenarios decided exactly as labelled; 0 when none is labelled.</summary>
    public double Agreement => Totals.Agreement;

    /// <summary>Labelled scenarios decided as labelled or as one of their acceptable decisions.</summary>
    public int InsideAcceptable => Totals.Acceptable;

    /// <summary>Share of labelled scenarios inside their acceptable set; 0 when none is labelled.</summary>
    public double AcceptableRate => Totals.AcceptableRate;

    /// <summary>Scenarios whose decision differs from the label (acceptable or not).</summary>
    public IReadOnlyList<ScenarioResult> Disagreements { get; }

    /// <summary>Scenarios whose decision is neither the label nor one of their acceptable decisions.</summary>
    public IReadOnlyList<ScenarioResult> OutsideAcceptable { get; }

    /// <summary>Automatic grants of scenarios labelled deny, or labelled approval on a high or critical resource.</summary>
    public IReadOnlyList<ScenarioResult> UnsafeGrants { get; }

    /// <summary>Scenarios labelled grant.</summary>
    public int Routine => Totals.Routine;

    public int RoutineSentToHuman => Totals.RoutineSentToHuman;

    public int RoutineDenied => Totals.RoutineDenied;

    public double RoutineSentToHumanRate => Totals.RoutineSentToHumanRate;

    /// <summary>
    /// Without labels: every line could be read. With labels: also no unsafe grant, at least
    /// <see cref="RequiredAcceptable"/> inside the acceptable sets, and at most <see cref="MaxRoutineSentToHuman"/> of
    /// routine scenarios sent to a human.
    /// </summary>
    public bool Passed => Problems.Count == 0
                          && (!ExpectationsChecked
                              || (UnsafeGrants.Count == 0 && AcceptableRate >= RequiredAcceptable && RoutineSentToHumanRate <= MaxRoutineSentToHuman));

    private Tally Totals { get; }

    private int[,] Matrix { get; } = new int[3, 3];

    /// <summary>How many scenarios labelled <paramref name="label"/> were decided <paramref name="decision"/>.</summary>
    public int Count(DecisionKind label, DecisionKind decision) => Matrix[(int)label, (int)decision];

    /// <param name="everyDecision">Also print every scenario's decision with its factors and reasons (the default).</param>
    public string ToText(bool everyDecision = true)
    {
        var text = new StringBuilder();
        if (everyDecision)
        {
            foreach (var r in Results)
            {
                AppendResult(text, r, ExpectationsChecked);
            }
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
        text.AppendLine(CultureInfo.InvariantCulture, $"Agreement with the label: {Agreements}/{Labelled} ({Agreement:P1})");
        text.AppendLine(CultureInfo.InvariantCulture, $"Inside the acceptable set (label or 'acceptable'): {InsideAcceptable}/{Labelled} ({AcceptableRate:P1}); required at least {RequiredAcceptable:P0}");
        text.AppendLine(CultureInfo.InvariantCulture, $"Unsafe automatic grants (label deny, or approval on a high/critical resource): {UnsafeGrants.Count}; required 0");
        text.AppendLine(CultureInfo.InvariantCulture, $"Routine scenarios (label grant) sent to a human: {RoutineSentToHuman}/{Routine} ({RoutineSentToHumanRate:P1}); required at most {MaxRoutineSentToHuman:P0}; denied: {RoutineDenied}");

        var sources = Results.Select(r => r.Scenario.Source).Distinct(StringComparer.Ordinal).ToList();
        if (sources.Count > 1)
        {
            AppendTable(text, "file", Results.GroupBy(r => r.Scenario.Source, StringComparer.Ordinal));
        }

        AppendTable(text, "category", Results.GroupBy(r => r.Scenario.Category, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal));

        if (OutsideAcceptable.Count > 0)
        {
            text.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"Outside the acceptable set ({OutsideAcceptable.Count}), with the top factors:");
            foreach (var d in OutsideAcceptable)
            {
                var top = d.Assessment.Factors.OrderByDescending(f => Math.Abs(f.Points)).Take(TopFactors).Select(f => f.ToString());
                text.AppendLine(CultureInfo.InvariantCulture,
                    $"  {Name(d, sources.Count > 1)} [{d.Scenario.Category}] label {Word(d.Scenario.Label!.Value)}{Also(d.Scenario)}, decided {Word(d.Assessment.Decision)} (score {d.Assessment.Score}){(d.IsUnsafeGrant ? " UNSAFE" : string.Empty)}: {string.Join("; ", top)}");
            }
        }

        var acceptedOthers = Disagreements.Where(d => d.IsAcceptable).ToList();
        if (acceptedOthers.Count > 0)
        {
            text.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"Not the label but acceptable ({acceptedOthers.Count}), with the top factors:");
            foreach (var d in acceptedOthers)
            {
                var top = d.Assessment.Factors.OrderByDescending(f => Math.Abs(f.Points)).Take(TopFactors).Select(f => f.ToString());
                text.AppendLine(CultureInfo.InvariantCulture,
                    $"  {Name(d, sources.Count > 1)} [{d.Scenario.Category}] label {Word(d.Scenario.Label!.Value)}{Also(d.Scenario)}, decided {Word(d.Assessment.Decision)} (score {d.Assessment.Score}){(d.IsUnsafeGrant ? " UNSAFE" : string.Empty)}: {string.Join("; ", top)}");
            }
        }

        text.AppendLine().AppendLine(Passed ? "RESULT: PASS" : "RESULT: FAIL");
        return text.ToString();
    }

    private static void AppendTable(StringBuilder text, string heading, IEnumerable<IGrouping<string, ScenarioResult>> groups)
    {
        var rows = groups.Select(g => (Name: g.Key.Length == 0 ? "(unnamed)" : g.Key, Tally: Tally.Of([.. g]))).ToList();
        var width = Math.Max(heading.Length, rows.Max(r => r.Name.Length)) + 2;
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture,
            $"{("by " + heading).PadRight(width)}{"n",5}{"label",9}{"accept",9}{"routine to human",18}{"unsafe",8}");
        foreach (var (name, t) in rows)
        {
            var routine = t.Routine == 0 ? "-" : $"{t.RoutineSentToHuman}/{t.Routine}";
            text.AppendLine(CultureInfo.InvariantCulture,
                $"{name.PadRight(width)}{t.Labelled,5}{t.Agreements,9}{t.Acceptable,9}{routine,18}{t.Unsafe,8}");
        }
    }

    private static string Name(ScenarioResult r, bool withSource) =>
        withSource && r.Scenario.Source.Length > 0 ? $"{Path.GetFileName(r.Scenario.Source)}:{r.Scenario.Id}" : r.Scenario.Id;

    private static string Also(Scenario s) => s.Acceptable.Count == 0 ? string.Empty : " (also " + string.Join("/", s.Acceptable.Select(Word)) + ")";

    private static void AppendResult(StringBuilder text, ScenarioResult r, bool expectationsChecked)
    {
        var a = r.Assessment;
        var label = expectationsChecked && r.Scenario.Label is { } l ? $"label {Word(l)}{Also(r.Scenario)} -> " : string.Empty;
        var mark = !expectationsChecked || r.Agrees ? string.Empty : r.IsAcceptable ? "  <-- not the label, acceptable" : "  <-- disagrees";
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

    /// <summary>The counts behind the figures, for the whole run, one file or one category.</summary>
    private readonly record struct Tally(int Labelled, int Agreements, int Acceptable, int Routine, int RoutineSentToHuman, int RoutineDenied, int Unsafe)
    {
        public double Agreement => Labelled == 0 ? 0 : (double)Agreements / Labelled;

        public double AcceptableRate => Labelled == 0 ? 0 : (double)Acceptable / Labelled;

        public double RoutineSentToHumanRate => Routine == 0 ? 0 : (double)RoutineSentToHuman / Routine;

        public static Tally Of(IReadOnlyList<ScenarioResult> results)
        {
            int labelled = 0, agreements = 0, acceptable = 0, routine = 0, toHuman = 0, denied = 0, unsafeGrants = 0;
            foreach (var r in results)
            {
                if (r.Scenario.Label is not { } label)
                {
                    continue;
                }

                labelled++;
                agreements += r.Agrees ? 1 : 0;
                acceptable += r.IsAcceptable ? 1 : 0;
                unsafeGrants += r.IsUnsafeGrant ? 1 : 0;
                if (label == DecisionKind.Grant)
                {
                    routine++;
                    toHuman += r.Assessment.Decision == DecisionKind.RequireApproval ? 1 : 0;
                    denied += r.Assessment.Decision == DecisionKind.Deny ? 1 : 0;
                }
            }

            return new Tally(labelled, agreements, acceptable, routine, toHuman, denied, unsafeGrants);
        }
    }
}
