namespace AgentAccessBroker.Approvals;

/// <summary>Where a request stands in its approval, for showing on a channel.</summary>
/// <param name="Votes">Every vote so far, in order.</param>
/// <param name="Outcome">Null while still pending.</param>
public sealed record ApprovalStatus(IReadOnlyList<ApprovalVote> Votes, ApprovalOutcome? Outcome, DateTimeOffset? DecidedAt);

public enum ApprovalOutcome
{
    Approved = 0,
    Denied = 1,
    Expired = 2,
}
