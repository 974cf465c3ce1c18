namespace AgentAccessBroker.Approvals;

/// <summary>What approvers are shown: who asks, for what, why, and what the analyzer thinks. Contains no secret.</summary>
/// <param name="ApproverGroup">The policy group whose members may decide.</param>
/// <param name="ChannelHint">Where the group wants to be asked (for Slack, a channel id), from the policy.</param>
/// <param name="TopReasons">The analyzer's main reasons in plain words.</param>
public sealed record ApprovalNotice(
    string RequestId,
    string AgentId,
    string AgentOwner,
    string TaskId,
    string TaskDescription,
    string TaskOwner,
    string Target,
    IReadOnlyList<string> Resources,
    IReadOnlyList<string> Actions,
    TimeSpan Duration,
    string Purpose,
    int Score,
    IReadOnlyList<string> TopReasons,
    string ApproverGroup,
    string? ChannelHint,
    int Quorum,
    DateTimeOffset ExpiresAt);
