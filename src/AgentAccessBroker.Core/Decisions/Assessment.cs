namespace AgentAccessBroker.Decisions;

/// <summary>The analyzer's verdict on one request, with every reason a person needs to understand it.</summary>
/// <param name="Score">0 (harmless) to 100 (dangerous).</param>
/// <param name="Factors">Every contribution to the score.</param>
/// <param name="Reasons">The decisive reasons in plain words (hard rules, thresholds, escalation).</param>
/// <param name="GrantedDuration">The duration a grant gets: the requested one, capped by policy.</param>
/// <param name="Quorum">Distinct approvers needed when a human must decide.</param>
/// <param name="HumanReviewMode">True when repeated denials have handed the task to a human.</param>
/// <param name="NarrowerRequest">For anything but a grant: a request that would be granted, where one exists.</param>
/// <param name="Analyzer">Name and version of what decided, for the audit trail.</param>
public sealed record Assessment(
    int Score,
    DecisionKind Decision,
    IReadOnlyList<RiskFactor> Factors,
    IReadOnlyList<string> Reasons,
    TimeSpan GrantedDuration,
    int Quorum,
    bool HumanReviewMode,
    SuggestedRequest? NarrowerRequest,
    string Analyzer);
