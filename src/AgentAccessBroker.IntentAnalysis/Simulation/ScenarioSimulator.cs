using System.Text.Json;
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
    /// <param name="expect">Compare decisions with labels: confusion matrix, disagreements and the pass criteria.</param>
    public static ScenarioReport Run(BrokerPolicy policy, IEnumerable<string> jsonlLines, bool expect) =>
        Run(policy, jsonlLines, expect, new IntentAnalyzer());

    /// <summary>Assesses every scenario with <paramref name="assessor"/>. Blank lines and lines starting with <c>//</c> are skipped.</summary>
    public static ScenarioReport Run(BrokerPolicy policy, IEnumerable<string> jsonlLines, bool expect, IRequestAssessor assessor)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(jsonlLines);
        ArgumentNullException.ThrowIfNull(assessor);

        var results = new List<ScenarioResult>();
        var problems = new List<ScenarioProblem>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var line = 0;
        foreach (var raw in jsonlLines)
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
                scenario = ScenarioParser.Parse(policy, text, line);
            }
            catch (Exception ex) when (ex is FormatException or JsonException or InvalidOperationException)
            {
                problems.Add(new ScenarioProblem(line, TryReadId(text), ex.Message));
                continue;
            }

            if (!ids.Add(scenario.Id))
            {
                problems.Add(new ScenarioProblem(line, scenario.Id, "duplicate id"));
                continue;
            }

            if (expect && scenario.Label is null)
            {
                problems.Add(new ScenarioProblem(line, scenario.Id, "no 'label' to compare with"));
            }

            results.Add(new ScenarioResult(scenario, assessor.Assess(scenario.Input), RequestFacts.HighestSensitivity(scenario.Input.Resources)));
        }

        return new ScenarioReport(results, problems, expect);
    }

    /// <summary>Reads one scenario line into an assessment input (for benchmarks and tests).</summary>
    /// <exception cref="FormatException">The line is not a valid scenario.</exception>
    public static Scenario Parse(BrokerPolicy policy, string jsonLine)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(jsonLine);
        try
        {
            return ScenarioParser.Parse(policy, jsonLine, 1);
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
