namespace AgentAccessBroker.Domain;

/// <summary>Whether a principal may act. Only <see cref="Enabled"/> principals authenticate.</summary>
public enum PrincipalStatus
{
    Enabled = 0,
    /// <summary>Cut off until enabled again; its token is kept.</summary>
    Disabled = 1,
    /// <summary>Cut off for good: its token is gone and its id stays reserved, so the audit trail keeps meaning one identity.</summary>
    Removed = 2,
}
