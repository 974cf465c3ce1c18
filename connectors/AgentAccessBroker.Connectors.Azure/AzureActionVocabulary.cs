using AgentAccessBroker.Actions;
using AgentAccessBroker.Domain;

namespace AgentAccessBroker.Connectors.Azure;

/// <summary>
/// Azure built-in role names (<c>Storage Blob Data Reader</c>) and operations
/// (<c>Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read</c>) for the intent analyzer, recognised from
/// their name alone. Which roles a target may grant is its own setting, so none is listed as mintable. Pure.
/// </summary>
/// <remarks>
/// Security contract: a role is never classified lower than the worst thing it can do (a role that can read account
/// keys is a privilege change, not a read); a <c>*</c> in an operation is a wildcard.
/// </remarks>
internal sealed class AzureActionVocabulary : IActionVocabulary
{
    public string Connector => RoleAssignmentCredentialProvider.ConnectorName;

    public IReadOnlyList<string> MintableActions => [];

    public ClassifiedAction? Classify(string action)
    {
        var a = action.AsSpan().Trim();
        if (a.StartsWith("Microsoft.", StringComparison.OrdinalIgnoreCase) || a.Contains('/'))
        {
            // A purge empties a vault or workspace and leaves it standing.
            var op = AzureOperation(action, a.ToString().ToLowerInvariant());
            return op.Has(ActionTraits.DestroysStore) && a.Contains("/purge/", StringComparison.OrdinalIgnoreCase) ? op with { Traits = op.Traits | ActionTraits.KeepsStore } : op;
        }

        var role = AzureRole(action, a);
        return role is { } r && (a.Equals("Owner", StringComparison.OrdinalIgnoreCase) || a.Equals("Contributor", StringComparison.OrdinalIgnoreCase))
            ? r with { Traits = r.Traits | ActionTraits.BroadRole }
            : role;
    }

    public IReadOnlyList<string> ReadCounterparts(string action)
    {
        var a = action.Trim();
        if (a.StartsWith("Microsoft.", StringComparison.OrdinalIgnoreCase) || a.Contains('/', StringComparison.Ordinal))
        {
            if (a.Contains('*', StringComparison.Ordinal))
            {
                return ["Reader"];
            }

            var parts = a.Split('/');
            var last = parts[^1].ToLowerInvariant();
            var keep = last == "action" ? parts.Length - 2 : parts.Length - 1;
            return keep >= 2 ? [string.Join('/', parts[..keep]) + "/read"] : [];
        }

        if (a.Contains(' ', StringComparison.Ordinal) || a is "Owner" or "Contributor" or "Reader")
        {
            var lower = a.ToLowerInvariant();
            if (lower.StartsWith("key vault secrets", StringComparison.Ordinal))
            {
                return ["Key Vault Reader"];
            }

            var dataAt = lower.IndexOf(" data ", StringComparison.Ordinal);
            return dataAt > 0 ? [a[..dataAt] + " Data Reader"] : ["Reader"];
        }

        return [];
    }

    /// <summary>An ARM scope: <c>/subscriptions/…</c>, <c>/providers/…</c> (management groups) or <c>/</c>.</summary>
    public bool RecognisesResource(string resource) =>
        resource.Trim() is var r && (r == "/" || r.StartsWith("/subscriptions/", StringComparison.OrdinalIgnoreCase) || r.StartsWith("/providers/", StringComparison.OrdinalIgnoreCase));

    private static ClassifiedAction AzureOperation(string action, string op)
    {
        if (op.Contains('*'))
        {
            var t = ActionTraits.DataAccess;
            if (op.StartsWith("*", StringComparison.Ordinal) || op.Contains("microsoft.authorization", StringComparison.Ordinal))
            {
                t |= ActionTraits.PolicyAttach;
            }

            if (op.StartsWith("*", StringComparison.Ordinal) || op.Contains("microsoft.network", StringComparison.Ordinal))
            {
                t |= ActionTraits.NetworkOpen;
            }

            if (op.StartsWith("*", StringComparison.Ordinal) || op.Contains("microsoft.keyvault", StringComparison.Ordinal))
            {
                t |= ActionTraits.SecretRead;
            }

            if (op.StartsWith("*", StringComparison.Ordinal) || op.Contains("microsoft.insights", StringComparison.Ordinal) || op.Contains("microsoft.operationalinsights", StringComparison.Ordinal))
            {
                t |= ActionTraits.LoggingWeaken;
            }

            return new(action, ActionClass.Wildcard, t);
        }

        var last = op[(op.LastIndexOf('/') + 1)..];
        var isWrite = last == "write";
        var isDelete = last == "delete";
        var isRead = last == "read";

        if (op.StartsWith("microsoft.authorization/", StringComparison.Ordinal))
        {
            if (isRead)
            {
                return new(action, ActionClass.Read, ActionTraits.None);
            }

            var attaches = op.Contains("/roleassignments/write", StringComparison.Ordinal) || op.Contains("/roledefinitions/write", StringComparison.Ordinal) || op.Contains("elevateaccess", StringComparison.Ordinal);
            return new(action, ActionClass.PrivilegeChange, attaches ? ActionTraits.PolicyAttach : ActionTraits.None);
        }

        if (op.StartsWith("microsoft.managedidentity/", StringComparison.Ordinal) && !isRead)
        {
            var identity = op.Contains("userassignedidentities/write", StringComparison.Ordinal) ? ActionTraits.IdentityCreate : ActionTraits.None;
            var federated = op.Contains("federatedidentitycredentials/write", StringComparison.Ordinal) || op.Contains("/assign/action", StringComparison.Ordinal) ? ActionTraits.PolicyAttach : ActionTraits.None;
            return new(action, ActionClass.PrivilegeChange, identity | federated);
        }

        if ((op.Contains("/securityrules", StringComparison.Ordinal) || op.Contains("/networksecuritygroups", StringComparison.Ordinal) || op.Contains("/firewallrules", StringComparison.Ordinal)
             || op.Contains("/azurefirewalls", StringComparison.Ordinal) || op.Contains("/firewallpolicies", StringComparison.Ordinal) || op.Contains("/publicipaddresses", StringComparison.Ordinal)
             || op.Contains("/virtualnetworkrules", StringComparison.Ordinal) || op.Contains("/networkacls", StringComparison.Ordinal) || op.Contains("/routetables", StringComparison.Ordinal))
            && !isRead)
        {
            return new(action, ActionClass.PrivilegeChange, isWrite ? ActionTraits.NetworkOpen : ActionTraits.None);
        }

        if (op.Contains("/accesspolicies/write", StringComparison.Ordinal))
        {
            return new(action, ActionClass.PrivilegeChange, ActionTraits.PolicyAttach);
        }

        if (op.Contains("/secrets/getsecret/action", StringComparison.Ordinal) || op.Contains("/keys/decrypt/action", StringComparison.Ordinal) || op.Contains("/keys/unwrap/action", StringComparison.Ordinal)
            || (op.Contains("microsoft.keyvault/vaults/secrets", StringComparison.Ordinal) && isRead && !op.Contains("readmetadata", StringComparison.Ordinal)))
        {
            return new(action, ActionClass.Read, ActionTraits.SecretRead | ActionTraits.DataAccess);
        }

        if (last == "action" && (op.Contains("/listkeys/", StringComparison.Ordinal) || op.Contains("/regeneratekey/", StringComparison.Ordinal) || op.Contains("/listaccountsas/", StringComparison.Ordinal)
            || op.Contains("/listservicesas/", StringComparison.Ordinal) || op.Contains("/listconnectionstrings/", StringComparison.Ordinal) || op.Contains("/listcredentials/", StringComparison.Ordinal)
            || op.Contains("/publishxml/", StringComparison.Ordinal)))
        {
            // Account keys and SAS give full data access outside RBAC.
            return new(action, ActionClass.PrivilegeChange, ActionTraits.SecretRead | ActionTraits.DataAccess);
        }

        var isPurge = last == "action" && op.EndsWith("/purge/action", StringComparison.Ordinal);
        if (isPurge && (op.StartsWith("microsoft.cdn/", StringComparison.Ordinal) || op.Contains("/frontdoors/", StringComparison.Ordinal)))
        {
            // Purging a CDN or Front Door cache makes the edge fetch content again: it destroys no data.
            return new(action, ActionClass.Write, ActionTraits.RefreshesCache);
        }

        if (last == "action" && (op.EndsWith("/receive/action", StringComparison.Ordinal) || op.EndsWith("/peek/action", StringComparison.Ordinal)))
        {
            // Receiving or peeking a message reads it (Service Bus, Event Hubs). A Service Bus receive also settles
            // (completes) messages, which removes them from the queue; Event Hubs readers remove nothing.
            return new(action, ActionClass.Read, op.StartsWith("microsoft.servicebus/", StringComparison.Ordinal) ? ActionTraits.DataAccess | ActionTraits.RemovesWhatItReads : ActionTraits.DataAccess);
        }
        if ((op.StartsWith("microsoft.insights/", StringComparison.Ordinal) || op.StartsWith("microsoft.operationalinsights/", StringComparison.Ordinal) || op.StartsWith("microsoft.security/", StringComparison.Ordinal))
            && isPurge)
        {
            return new(action, ActionClass.Destructive, ActionTraits.LoggingWeaken | ActionTraits.DataAccess | ActionTraits.DestroysStore);
        }

        if ((op.StartsWith("microsoft.insights/", StringComparison.Ordinal) || op.StartsWith("microsoft.operationalinsights/", StringComparison.Ordinal) || op.StartsWith("microsoft.security/", StringComparison.Ordinal))
            && (isDelete || (isWrite && (op.Contains("diagnosticsettings", StringComparison.Ordinal) || op.Contains("datacollectionrules", StringComparison.Ordinal) || op.Contains("/tables/", StringComparison.Ordinal)))))
        {
            return new(action, ActionClass.PrivilegeChange, ActionTraits.LoggingWeaken);
        }

        if (op.Contains("/diagnosticsettings/", StringComparison.Ordinal) && (isWrite || isDelete))
        {
            return new(action, ActionClass.PrivilegeChange, ActionTraits.LoggingWeaken);
        }

        if (op.Contains("/runcommand", StringComparison.Ordinal) || op.Contains("/extensions/write", StringComparison.Ordinal) || op.Contains("/loginasadmin/action", StringComparison.Ordinal))
        {
            return new(action, ActionClass.PrivilegeChange, ActionTraits.None);
        }

        var data = op.Contains("/blobs/", StringComparison.Ordinal) || op.Contains("/entities/", StringComparison.Ordinal) || op.Contains("/messages/", StringComparison.Ordinal)
                   || op.Contains("/fileshares/files/", StringComparison.Ordinal) || op.Contains("/items/", StringComparison.Ordinal) || op.Contains("/query/", StringComparison.Ordinal)
            ? ActionTraits.DataAccess
            : ActionTraits.None;

        if (isRead)
        {
            return new(action, ActionClass.Read, data);
        }

        if (isDelete || isPurge)
        {
            return new(action, ActionClass.Destructive, data | (isPurge || IsStoreType(op) ? ActionTraits.DestroysStore : ActionTraits.None));
        }

        return new(action, ActionClass.Write, data);
    }

    private static readonly string[] AzureStoreTypes =
    [
        "/storageaccounts/delete", "/containers/delete", "/flexibleservers/delete", "/servers/delete", "/databases/delete", "/vaults/delete",
        "/workspaces/delete", "/resourcegroups/delete", "/databaseaccounts/delete", "/managedinstances/delete", "/fileshares/delete",
        "/tables/delete", "/queues/delete", "/namespaces/delete", "/disks/delete", "/snapshots/delete", "/backupvaults/delete",
    ];

    private static bool IsStoreType(string op)
    {
        foreach (var suffix in AzureStoreTypes)
        {
            if (op.EndsWith(suffix, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    // ---------------------------------------------------------------- Azure built-in roles

    private static ClassifiedAction? AzureRole(string action, ReadOnlySpan<char> name)
    {
        if (name.Equals("AcrPull", StringComparison.OrdinalIgnoreCase))
        {
            return new(action, ActionClass.Read, ActionTraits.DataAccess);
        }

        if (name.Equals("AcrPush", StringComparison.OrdinalIgnoreCase) || name.Equals("AcrImageSigner", StringComparison.OrdinalIgnoreCase))
        {
            return new(action, ActionClass.Write, ActionTraits.DataAccess);
        }

        if (name.Equals("AcrDelete", StringComparison.OrdinalIgnoreCase))
        {
            return new(action, ActionClass.Destructive, ActionTraits.DataAccess);
        }

        var isRoleName = name.Contains(' ') || name.Equals("Reader", StringComparison.OrdinalIgnoreCase) || name.Equals("Contributor", StringComparison.OrdinalIgnoreCase) || name.Equals("Owner", StringComparison.OrdinalIgnoreCase);
        if (!isRoleName)
        {
            return null;
        }

        Span<char> buffer = stackalloc char[Math.Min(name.Length, 128)];
        var n = 0;
        var lastSpace = true;
        foreach (var ch in name[..Math.Min(name.Length, 128)])
        {
            var space = char.IsWhiteSpace(ch);
            if (space && lastSpace)
            {
                continue;
            }

            buffer[n++] = space ? ' ' : char.ToLowerInvariant(ch);
            lastSpace = space;
        }

        var role = buffer[..n].TrimEnd(' ');

        // Roles whose name understates what they can do come first.
        ReadOnlySpan<char> r = role;
        if (r.SequenceEqual("storage account key operator service role") || r.SequenceEqual("classic storage account key operator service role"))
        {
            return new(action, ActionClass.PrivilegeChange, ActionTraits.SecretRead | ActionTraits.DataAccess);
        }

        // "(Preview)" and a trailing "Role" say nothing about what the role does: "Azure Kubernetes Service Cluster User
        // Role" is a "... User", "Azure Kubernetes Service Cluster Admin Role" an "... Admin".
        if (r.EndsWith(" (preview)", StringComparison.Ordinal))
        {
            r = r[..^" (preview)".Length];
        }

        if (r.EndsWith(" role", StringComparison.Ordinal) && r.Length > " role".Length)
        {
            r = r[..^" role".Length];
        }

        if (r.SequenceEqual("owner") || r.SequenceEqual("user access administrator") || r.SequenceEqual("role based access control administrator")
            || r.SequenceEqual("key vault data access administrator"))
        {
            return new(action, ActionClass.PrivilegeChange, ActionTraits.PolicyAttach);
        }

        if (r.SequenceEqual("key vault administrator"))
        {
            return new(action, ActionClass.PrivilegeChange, ActionTraits.PolicyAttach | ActionTraits.SecretRead | ActionTraits.DataAccess);
        }

        if (r.SequenceEqual("network contributor") || r.SequenceEqual("classic network contributor"))
        {
            return new(action, ActionClass.PrivilegeChange, ActionTraits.NetworkOpen);
        }

        if (r.SequenceEqual("managed identity contributor"))
        {
            return new(action, ActionClass.PrivilegeChange, ActionTraits.IdentityCreate);
        }

        if (r.SequenceEqual("managed identity operator"))
        {
            return new(action, ActionClass.PrivilegeChange, ActionTraits.PolicyAttach);
        }

        if (r.SequenceEqual("security admin"))
        {
            return new(action, ActionClass.PrivilegeChange, ActionTraits.LoggingWeaken);
        }

        if (r.SequenceEqual("storage account contributor") || r.SequenceEqual("storage account key operator service role") || r.SequenceEqual("classic storage account key operator service role"))
        {
            return new(action, ActionClass.PrivilegeChange, ActionTraits.SecretRead | ActionTraits.DataAccess);
        }

        if (r.SequenceEqual("key vault secrets user") || r.SequenceEqual("key vault crypto user") || r.SequenceEqual("key vault certificate user")
            || r.SequenceEqual("key vault crypto service encryption user"))
        {
            return new(action, ActionClass.Read, ActionTraits.SecretRead | ActionTraits.DataAccess);
        }

        if (r.SequenceEqual("key vault secrets officer") || r.SequenceEqual("key vault crypto officer") || r.SequenceEqual("key vault certificates officer"))
        {
            return new(action, ActionClass.Write, ActionTraits.SecretRead | ActionTraits.DataAccess);
        }

        if (r.SequenceEqual("log analytics contributor") || r.SequenceEqual("monitoring contributor"))
        {
            // Both can change or remove diagnostic settings and data collection.
            return new(action, ActionClass.PrivilegeChange, ActionTraits.LoggingWeaken);
        }

        if (r.Contains("administrator", StringComparison.Ordinal) || r.EndsWith(" admin", StringComparison.Ordinal) || r.Contains("admin role", StringComparison.Ordinal)
            || r.Contains("administrator login", StringComparison.Ordinal))
        {
            return new(action, ActionClass.PrivilegeChange, ActionTraits.PolicyAttach);
        }

        if (r.EndsWith("data owner", StringComparison.Ordinal))
        {
            return new(action, ActionClass.PrivilegeChange, ActionTraits.DataAccess | ActionTraits.PolicyAttach);
        }

        if (r.EndsWith(" owner", StringComparison.Ordinal))
        {
            return new(action, ActionClass.PrivilegeChange, ActionTraits.PolicyAttach);
        }

        if (r.SequenceEqual("azure service bus data receiver"))
        {
            // Receives, and so can also settle (complete, dead-letter) and thereby remove, messages: Service Bus has no
            // peek-only role. Still a read for scoring; the trait lets a high resource go to a human.
            return new(action, ActionClass.Read, ActionTraits.DataAccess | ActionTraits.RemovesWhatItReads);
        }

        if (r.EndsWith("data reader", StringComparison.Ordinal) || r.EndsWith("receiver", StringComparison.Ordinal))
        {
            return new(action, ActionClass.Read, ActionTraits.DataAccess);
        }

        if (r.EndsWith("reader", StringComparison.Ordinal) || r.EndsWith("viewer", StringComparison.Ordinal) || r.EndsWith("reader and data access", StringComparison.Ordinal))
        {
            return new(action, ActionClass.Read, r.Contains("data access", StringComparison.Ordinal) ? ActionTraits.DataAccess | ActionTraits.SecretRead : ActionTraits.None);
        }

        if (r.EndsWith("data contributor", StringComparison.Ordinal) || r.EndsWith("sender", StringComparison.Ordinal) || r.EndsWith("publisher", StringComparison.Ordinal)
            || r.EndsWith("message processor", StringComparison.Ordinal))
        {
            return new(action, ActionClass.Write, ActionTraits.DataAccess);
        }

        if (r.EndsWith("contributor", StringComparison.Ordinal) || r.EndsWith("operator", StringComparison.Ordinal) || r.EndsWith("user", StringComparison.Ordinal)
            || r.EndsWith("officer", StringComparison.Ordinal) || r.EndsWith("writer", StringComparison.Ordinal))
        {
            return new(action, ActionClass.Write, ActionTraits.None);
        }

        return new(action, ActionClass.Write, ActionTraits.Unrecognised);
    }

}
