using AgentAccessBroker.Decisions;

namespace AgentAccessBroker.IntentAnalysis.Simulation;

/// <summary>One recorded scenario, ready to assess: its label (null when unlabelled) and the full assessment input.</summary>
/// <param name="Line">1-based line in the JSONL file.</param>
/// <param name="Label">What a security engineer decided the broker should do.</param>
public sealed record Scenario(int Line, string Id, string Category, DecisionKind? Label, string? Note, AssessmentInput Input);
