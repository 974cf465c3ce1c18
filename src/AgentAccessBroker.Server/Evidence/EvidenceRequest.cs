namespace AgentAccessBroker.Server.Evidence;

/// <summary>An access request and its decision, as its audit events describe them.</summary>
public sealed class EvidenceRequest(string id)
{
    public const string GrantedAutomatically = "granted_automatically";
    public const string GrantedByApproval = "granted_by_approval";
    public const string DeniedByPolicy = "denied_by_policy";
    public const string DeniedByApprover = "denied_by_approver";
    public const string Withdrawn = "withdrawn";
    public const string Expired = "expired";
    public const string Pending = "pending";

    public string Id { get; } = id;

    public string? TaskId { get; internal set; }

    public string? AgentId { get; internal set; }

    public DateTimeOffset? ReceivedAt { get; internal set; }

    public string? Target { get; internal set; }

    public IReadOnlyList<string> Resources { get; internal set; } = [];

    public IReadOnlyList<string> Actions { get; internal set; } = [];

    /// <summary>The agent's stated purpose, verbatim from the trail: untrusted text.</summary>
    public string? Purpose { get; internal set; }

    public long? RequestedSeconds { get; internal set; }

    public string? PolicyVersion { get; internal set; }

    public string? Analyzer { get; internal set; }

    public int? Score { get; internal set; }

    public string? AnalyzerDecision { get; internal set; }

    public IReadOnlyList<EvidenceFactor> Factors { get; internal set; } = [];

    public IReadOnlyList<string> Reasons { get; internal set; } = [];

    public bool ApprovalRequested { get; internal set; }

    public string? ApproverGroup { get; internal set; }

    public int? Quorum { get; internal set; }

    public List<EvidenceVote> Votes { get; } = [];

    /// <summary>One of the constants above; <see cref="Pending"/> while no decision is recorded.</summary>
    public string Outcome { get; internal set; } = Pending;

    public DateTimeOffset? DecidedAt { get; internal set; }

    public string? DecidedBy { get; internal set; }

    public long? GrantedSeconds { get; internal set; }

    public string? Why { get; internal set; }

    /// <summary>A claim refused at issue time (a lock, a closed task, a disabled principal): nothing was minted.</summary>
    public string? ClaimRefused { get; internal set; }

    public List<string> LeaseIds { get; } = [];

    public bool IsGrant => Outcome is GrantedAutomatically or GrantedByApproval;

    public bool IsDenial => Outcome is DeniedByPolicy or DeniedByApprover;
}
