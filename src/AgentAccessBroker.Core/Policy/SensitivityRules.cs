namespace AgentAccessBroker.Policy;

/// <summary>Decision thresholds and limits for one sensitivity level.</summary>
/// <param name="GrantBelow">A score strictly below this is granted automatically.</param>
/// <param name="DenyAtOrAbove">A score at or above this is denied; in between a human decides.</param>
/// <param name="NormalDuration">What a routine grant lasts; longer requests add risk.</param>
/// <param name="MaxDuration">No grant lasts longer; longer requests are shortened to this.</param>
/// <param name="Quorum">How many distinct approvers must approve.</param>
/// <param name="ApprovalTimeout">A pending request is denied when no decision arrives in this time.</param>
public sealed record SensitivityRules(
    int GrantBelow,
    int DenyAtOrAbove,
    TimeSpan NormalDuration,
    TimeSpan MaxDuration,
    int Quorum,
    TimeSpan ApprovalTimeout);
