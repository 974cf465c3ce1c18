using System.Text.Json;
using AgentAccessBroker.Actions;
using AgentAccessBroker.Decisions;
using AgentAccessBroker.IntentAnalysis.Scoring;
using AgentAccessBroker.Policy;

namespace AgentAccessBroker.IntentAnalysis.Simulation;

/// <summary>
/// Replays recorded scenarios (JSON lines: a task, a request, a history and optionally a label) through an assessor,
/// for <c>aab simulate</c>. The format is documented in docs/DECISIONS.md.
/// </summary>
public static class ScenarioSimulator
{
    /// <summary>Assesses every scenario with the <see cref="IntentAnalyzer"/>.</summary>
    /// <param name="vocabularies">The connectors' action vocabularies, from the same registry as the broker's.</param>
    /// <param name="expect">Compare decisions with labels: confusion matrix, disagreements and the pass criteria.</param>
    public static ScenarioReport Run(BrokerPolicy policy, ActionVocabularies vocabularies, IEnumerable<string> jsonlLines, bool expect) =>
        Run(policy, vocabularies, jsonlLines, expect, new IntentAnalyzer());

    /// <summary>Assesses every scenario with <paramref name="assessor"/>. Blank lines and lines starting with <c>//</c> are skipped.</summary>
    public static ScenarioReport Run(BrokerPolicy policy, ActionVocabularies vocabularies, IEnumerable<string> jsonlLines, bool expect, IRequestAssessor assessor)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(jsonlLines);
        return Run([new ScenarioSource(string.Empty, policy, jsonlLines)], vocabularies, expect, assessor);
    }

    /// <summary>
    /// Assesses the scenarios of several files in one run, each under its own policy, into one report (ids must be
    /// unique within a file). Blank lines and lines starting with <c>//</c> are skipped.
    /// </summary>
    public static ScenarioReport Run(IEnumerable<ScenarioSource> sources, ActionVocabularies vocabularies, bool expect, IRequestAssessor? assessor = null)
    {
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(vocabularies);
        assessor ??= new IntentAnalyzer();

        var results = new List<ScenarioResult>();
        var problems = new List<ScenarioProblem>();
        foreach (var source in sources)
        {
            ArgumentNullException.ThrowIfNull(source);
            Read(source, vocabularies, expect, assessor, results, problems);
        }

        return new ScenarioReport(results, problems, expect);
    }

    private static void Read(ScenarioSource source, ActionVocabularies vocabularies, bool expect, IRequestAssessor assessor, List<ScenarioResult> results, List<ScenarioProblem> problems)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var line = 0;
        foreach (var raw in source.Lines)
        {
            line++;
            var text = raw.Trim();
            if (text.Length == 0 || text.StartsWith("//", StringComparison.Ordinal))
            {
                continue;
            }

            Scenario scenario;
            try
            {
                scenario = ScenarioParser.Parse(source.Policy, vocabularies, text, line) with { Source = source.Name };
            }
            catch (Exception ex) when (ex is FormatException or JsonException or InvalidOperationException)
            {
                problems.Add(new ScenarioProblem(line, TryReadId(text), ex.Message) { Source = source.Name });
                continue;
            }

            if (!ids.Add(scenario.Id))
            {
                problems.Add(new ScenarioProblem(line, scenario.Id, "duplicate id") { Source = source.Name });
                continue;
            }

            if (expect && scenario.Label is null)
            {
                problems.Add(new ScenarioProblem(line, scenario.Id, "no 'label' to compare with") { Source = source.Name });
            }

            results.Add(new ScenarioResult(scenario, assessor.Assess(scenario.Input), RequestFacts.HighestSensitivity(scenario.Input.Resources)));
        }
    }

    /// <summary>Reads one scenario line into an assessment input (for benchmarks and tests).</summary>
    /// <exception cref="FormatException">The line is not a valid scenario.</exception>
    public static Scenario Parse(BrokerPolicy policy, ActionVocabularies vocabularies, string jsonLine)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(vocabularies);
        ArgumentNullException.ThrowIfNull(jsonLine);
        try
        {
            return ScenarioParser.Parse(policy, vocabularies, jsonLine, 1);
        }
        catch (JsonException ex)
        {
            throw new FormatException(ex.Message, ex);
        }
    }

    private static string? TryReadId(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String
                ? id.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
