namespace AgentAccessBroker.Domain;

/// <summary>What an authenticated caller may do. A principal can hold several roles.</summary>
[Flags]
public enum PrincipalRole
{
    None = 0,
    /// <summary>An AI agent: may act only on its own tasks, requests and leases.</summary>
    Agent = 1,
    /// <summary>A human who may approve or deny pending requests (subject to policy approver groups).</summary>
    Approver = 2,
    /// <summary>A human who starts tasks, registers agents and users.</summary>
    Admin = 4,
    /// <summary>A human who reads and exports the audit trail.</summary>
    Auditor = 8,
}
