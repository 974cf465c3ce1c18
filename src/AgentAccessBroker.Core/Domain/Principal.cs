namespace AgentAccessBroker.Domain;

/// <summary>An authenticated identity: an agent or a human. Its bearer token is stored only as a hash.</summary>
/// <param name="Id">Stable identifier, also the name used in policy files (for example <c>billing-bot</c> or <c>alice</c>).</param>
/// <param name="Roles">What the principal may do.</param>
/// <param name="Owner">For agents, the human responsible for it; used for the self-approval ban. Null for humans.</param>
public sealed record Principal(string Id, PrincipalRole Roles, string? Owner, DateTimeOffset CreatedAt)
{
    /// <summary>Only an enabled principal that no lock names may act.</summary>
    public PrincipalStatus Status { get; init; } = PrincipalStatus.Enabled;

    /// <summary>When its bearer token stops working; null for a token without expiry.</summary>
    public DateTimeOffset? TokenExpiresAt { get; init; }

    /// <summary>True while an active lock names this principal (see <see cref="AccessLock"/>).</summary>
    public bool Locked { get; init; }

    public bool Has(PrincipalRole role) => (Roles & role) == role;
}
