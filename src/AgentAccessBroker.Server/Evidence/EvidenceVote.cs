namespace AgentAccessBroker.Server.Evidence;

/// <summary>One approver's vote, accepted or rejected (<see cref="Rejection"/> says why it did not count).</summary>
public sealed record EvidenceVote(
    string ApproverId,
    bool Approve,
    string? Channel,
    string? ChannelIdentity,
    DateTimeOffset At,
    string? Comment,
    string? Rejection);
