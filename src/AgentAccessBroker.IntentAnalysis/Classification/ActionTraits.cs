namespace AgentAccessBroker.IntentAnalysis.Classification;

/// <summary>What an action does beyond its <see cref="Domain.ActionClass"/>; feeds data-tag weighting and chain detection.</summary>
[Flags]
public enum ActionTraits
{
    None = 0,

    /// <summary>Reads or writes the data held in a store (objects, rows, items, blobs), not just its configuration.</summary>
    DataAccess = 1,

    /// <summary>Creates a user, role, service principal, managed identity or database role.</summary>
    IdentityCreate = 2,

    /// <summary>Attaches a policy or role to an identity, or widens who may act (grants, role assignments).</summary>
    PolicyAttach = 4,

    /// <summary>Opens a network path (security group, NSG, firewall rule, ACL entry, route).</summary>
    NetworkOpen = 8,

    /// <summary>Reads a secret value or key material.</summary>
    SecretRead = 16,

    /// <summary>Stops, deletes or narrows logging, audit or monitoring.</summary>
    LoggingWeaken = 32,

    /// <summary>The action's syntax was not recognised; it is scored as a write.</summary>
    Unrecognised = 64,

    /// <summary>Destroys a whole data store (table, bucket, database, vault, log group), not items in it.</summary>
    DestroysStore = 128,

    /// <summary>Runs a query (athena:StartQueryExecution): it writes its results to the query service's results location.</summary>
    QueryExecution = 256,
}
