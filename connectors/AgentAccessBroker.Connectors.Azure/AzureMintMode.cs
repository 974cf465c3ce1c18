namespace AgentAccessBroker.Connectors.Azure;

/// <summary>How a lease's access is granted and handed over.</summary>
internal enum AzureMintMode
{
    /// <summary>A plain RBAC role assignment; the agent gets an access token of its service principal.</summary>
    Assignment = 0,

    /// <summary>A PIM <c>AdminAssign</c> schedule request that expires at the lease end; the agent gets an access token.</summary>
    Pim = 1,

    /// <summary>A plain RBAC role assignment; the agent gets a new application secret that expires at the lease end.</summary>
    ClientSecret = 2,
}
