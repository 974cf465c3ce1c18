using AgentAccessBroker.Audit;
using AgentAccessBroker.Credentials;
using AgentAccessBroker.Domain;
using AgentAccessBroker.Policy;

namespace AgentAccessBroker.Brokering;

/// <summary>A lease decided but not yet written or minted: its row (with the provider's revocation plan) and how to mint it.</summary>
internal sealed record PlannedLease(Lease Lease, MintRequest Mint, RevocationData Plan, ICredentialProvider Provider, TargetSettings Target)
{
    /// <summary>The request as it is stored once this lease is issued for it.</summary>
    public AccessRequest Issued(AccessRequest request) => request with { Status = RequestStatus.Issued, DecidedAt = Lease.CreatedAt, LeaseId = Lease.Id };

    public AuditEntry MintingEvent(string actor) => AuditEntries.Lease(AuditEventType.LeaseMinting, actor, Lease, null);
}
