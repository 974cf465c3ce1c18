using AgentAccessBroker.Approvals;
using AgentAccessBroker.Domain;

namespace AgentAccessBroker.Brokering;

/// <summary>
/// What <see cref="AccessRequestIntake"/> decided about a new request, as data; nothing of it is stored yet. A grant
/// goes to <see cref="CredentialIssuer"/> as an <see cref="Issuance.Granted"/>; an approval is stored, given its
/// expiry and announced; a denial is stored and answered with its reasons.
/// </summary>
public abstract record IntakeDecision(RequestRecord Record)
{
    /// <summary>Granted automatically, for <see cref="Task"/>.</summary>
    public sealed record Grant(RequestRecord Record, BrokerTask Task) : IntakeDecision(Record);

    /// <summary>A human must decide: <see cref="Outcome"/> is the agent's answer, <see cref="Notice"/> what the channels show.</summary>
    public sealed record NeedsApproval(RequestRecord Record, RequestOutcome.PendingApproval Outcome, ApprovalNotice Notice) : IntakeDecision(Record);

    /// <summary>Refused; the assessment says why and, where possible, what narrower request would pass.</summary>
    public sealed record Deny(RequestRecord Record) : IntakeDecision(Record);
}
