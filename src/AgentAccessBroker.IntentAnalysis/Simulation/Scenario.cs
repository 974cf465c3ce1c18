using AgentAccessBroker.Decisions;

namespace AgentAccessBroker.IntentAnalysis.Simulation;

/// <summary>One recorded scenario, ready to assess: its label (null when unlabelled) and the full assessment input.</summary>
/// <param name="Line">1-based line in the JSONL file.</param>
/// <param name="Label">What a security engineer decided the broker should do.</param>
public sealed record Scenario(int Line, string Id, string Category, DecisionKind? Label, string? Note, AssessmentInput Input)
{
    /// <summary>
    /// Decisions the labeller also accepts besides <see cref="Label"/> (the scenario's <c>acceptable</c> list); empty when
    /// only the label is acceptable.
    /// </summary>
    public IReadOnlyList<DecisionKind> Acceptable { get; init; } = [];

    /// <summary>The file (or other source) the scenario was read from; empty for a single unnamed source.</summary>
    public string Source { get; init; } = string.Empty;
}
