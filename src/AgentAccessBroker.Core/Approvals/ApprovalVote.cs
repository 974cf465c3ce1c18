namespace AgentAccessBroker.Approvals;

/// <summary>One approver's decision on one pending request. At most one vote per approver per request.</summary>
/// <param name="Channel">Where it came from (<c>cli</c>, <c>api</c>, <c>console</c> or a chat channel's name).</param>
/// <param name="ChannelIdentity">The identity the channel verified (the chat tool's user id), for the audit trail.</param>
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
