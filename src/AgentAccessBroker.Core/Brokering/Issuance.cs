using AgentAccessBroker.Domain;

namespace AgentAccessBroker.Brokering;

/// <summary>
/// A request <see cref="CredentialIssuer.IssueAsync"/> is to mint, as data: granted by the broker just now (not stored
/// yet) or approved earlier by humans and now claimed by its agent. Both take the same path: plan, durable lease row
/// and revocation trigger, mint, activation, or rollback.
/// </summary>
public abstract record Issuance(AccessRequest Request, string Actor)
{
    /// <summary>
    /// Granted at once: <see cref="Record"/> (the request with its decision, history update and audit events) is
    /// written in the same transaction as the lease row.
    /// </summary>
    public sealed record Granted(RequestRecord Record, BrokerTask Task) : Issuance(Record.Request, "broker");

    /// <summary>
    /// Approved by humans and stored as <see cref="RequestStatus.Approved"/>: claimed, exactly once, in the same
    /// transaction as the lease row, if the issuance rule still allows it.
    /// </summary>
    /// <param name="Task">The request's task when the caller has it at hand; read from the store when null.</param>
    public sealed record Approved(AccessRequest Request, BrokerTask? Task, string Actor) : Issuance(Request, Actor);
}
