using AgentAccessBroker.Credentials;
using AgentAccessBroker.Decisions;
using AgentAccessBroker.Domain;

namespace AgentAccessBroker.Brokering;

/// <summary>What happened to an access request. Expected outcomes are values.</summary>
public abstract record RequestOutcome(AccessRequest Request)
{
    /// <summary>Minted now. <see cref="Credential"/> is shown to the agent exactly once and never stored.</summary>
    public sealed record Granted(AccessRequest Request, Lease Lease, MintResult Credential) : RequestOutcome(Request);

    /// <summary>A human must decide. <see cref="Approvers"/> are the people who may.</summary>
    public sealed record PendingApproval(AccessRequest Request, string ApproverGroup, IReadOnlyList<string> Approvers, int Quorum, DateTimeOffset ExpiresAt, bool HumanReviewMode)
        : RequestOutcome(Request)
    {
        /// <summary>How long after its approval the agent may claim it (the policy's <c>claim_window</c>).</summary>
        public TimeSpan ClaimWindow { get; init; } = Policy.SensitivityRules.DefaultClaimWindow;
    }

    /// <summary>Refused. <see cref="Assessment"/> says why and, where possible, what narrower request would pass.</summary>
    public sealed record Denied(AccessRequest Request, Assessment Assessment) : RequestOutcome(Request);

    /// <summary>A dry run: what would be decided, nothing stored or minted.</summary>
    public sealed record Evaluated(AccessRequest Request, Assessment Assessment) : RequestOutcome(Request);

    /// <summary>Already issued once; the credential cannot be shown again.</summary>
    public sealed record AlreadyIssued(AccessRequest Request) : RequestOutcome(Request);

    /// <summary>Approved, but minting failed; nothing remains outside.</summary>
    public sealed record MintFailed(AccessRequest Request, string Code, string Reason) : RequestOutcome(Request);
}
