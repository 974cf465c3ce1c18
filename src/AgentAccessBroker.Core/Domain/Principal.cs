namespace AgentAccessBroker.Domain;

/// <summary>An authenticated identity: an agent or a human. Its bearer token is stored only as a hash.</summary>
/// <param name="Id">Stable identifier, also the name used in policy files (for example <c>billing-bot</c> or <c>alice</c>).</param>
/// <param name="Roles">What the principal may do.</param>
/// <param name="Owner">For agents, the human responsible for it; used for the self-approval ban. Null for humans.</param>
public sealed record Principal(string Id, PrincipalRole Roles, string? Owner, DateTimeOffset CreatedAt)
{
    public bool Has(PrincipalRole role) => (Roles & role) == role;
}
