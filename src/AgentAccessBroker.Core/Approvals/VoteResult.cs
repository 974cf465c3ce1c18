namespace AgentAccessBroker.Approvals;

/// <summary>What happened to a vote. Expected outcomes are values, not exceptions.</summary>
public abstract record VoteResult
{
    private VoteResult()
    {
    }

    /// <summary>The vote counted; <see cref="Status"/> says whether it decided the request.</summary>
    public sealed record Recorded(ApprovalStatus Status) : VoteResult;

    /// <summary>The request was already decided (or this approver already voted): nothing changed.</summary>
    public sealed record AlreadyDecided(ApprovalStatus Status) : VoteResult;

    /// <summary>The voter may not decide this request; <see cref="Code"/> is stable (<c>not_an_approver</c>, <c>self_approval</c>...).</summary>
    public sealed record Rejected(string Code, string Reason) : VoteResult;

    public sealed record NotFound : VoteResult;
}
