using AgentAccessBroker.Decisions;

namespace AgentAccessBroker.IntentAnalysis.Review;

/// <summary>What a reviewer is shown: the human's task, the agent's request (purpose untrusted) and the analyzer's view.</summary>
public sealed record OutsideReviewRequest(
    string TaskDescription,
    string? TaskEnvironment,
    IReadOnlyList<string> ScopeHints,
    string Target,
    IReadOnlyList<string> Resources,
    IReadOnlyList<string> Actions,
    string Purpose,
    TimeSpan Duration,
    int Score,
    DecisionKind ProposedDecision,
    IReadOnlyList<RiskFactor> Factors);
