namespace AgentAccessBroker.Actions;

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

    /// <summary>The target's connector vocabulary does not know the action; it is scored at least as a write and flagged.</summary>
    Unrecognised = 64,

    /// <summary>Destroys a whole data store (table, bucket, database, vault, log group), not items in it.</summary>
    DestroysStore = 128,

    /// <summary>Runs a query (athena:StartQueryExecution): it writes its results to the query service's results location.</summary>
    QueryExecution = 256,

    /// <summary>Empties a whole store but leaves the store itself (TRUNCATE, a purge); set together with <see cref="DestroysStore"/>.</summary>
    KeepsStore = 512,

    /// <summary>A built-in role over everything at its scope (Azure <c>Owner</c>, <c>Contributor</c>).</summary>
    BroadRole = 1024,

    /// <summary>Writes objects and nothing else (<c>s3:PutObject</c>): a query's results location takes no other write.</summary>
    ObjectWriteOnly = 2048,

    /// <summary>
    /// Reads or writes only the records people keep about the work (issues, discussions, their comments and labels), never
    /// the system itself, its code or the data it serves: a change there does not change what runs in production.
    /// </summary>
    WorkRecordsOnly = 4096,

    /// <summary>Sets a secret's value (a repository secret, a stored credential): replaces a credential that something else uses.</summary>
    SetsSecret = 8192,

    /// <summary>
    /// A read that can also remove what it reads: an Azure Service Bus receiver settles (completes) the messages it
    /// receives, and a settled message is gone from its queue. Peeking alone, where a service offers it, has no such trait.
    /// </summary>
    RemovesWhatItReads = 16384,

    /// <summary>
    /// Reads or writes the source of a system (a repository's code, a branch, a pull request's commits), not the system
    /// itself: a change reaches an environment only through a build and a deployment, so the environment a source
    /// repository is catalogued in says where it deploys to, not where the change lands; a read changes no environment.
    /// </summary>
    SourceCode = 32768,

    /// <summary>
    /// Opens or updates a pull request: a change proposed this way waits for the repository's review before it merges,
    /// where a push alone lands on its branch or tag at once.
    /// </summary>
    ProposesForReview = 65536,

    /// <summary>
    /// Drops cached copies of content (a CloudFront invalidation, a CDN or Front Door purge): the next request fetches
    /// the same content from its origin again, so no code, setting or data changes.
    /// </summary>
    RefreshesCache = 131072,
}
