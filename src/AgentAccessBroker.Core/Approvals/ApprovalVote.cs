namespace AgentAccessBroker.Approvals;

/// <summary>One approver's decision on one pending request. At most one vote per approver per request.</summary>
/// <param name="Channel">Where it came from (<c>cli</c>, <c>slack</c>...).</param>
/// <param name="ChannelIdentity">The identity the channel verified (a Slack user id), for the audit trail.</param>
/// <param name="Duration">For "approve for a shorter time": the shortened duration.</param>
public sealed record ApprovalVote(
    string RequestId,
    string ApproverId,
    bool Approve,
    string Channel,
    string? ChannelIdentity,
    TimeSpan? Duration,
    string? Comment,
    DateTimeOffset At);
