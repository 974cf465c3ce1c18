using AgentAccessBroker.Decisions;
using AgentAccessBroker.Domain;

namespace AgentAccessBroker.IntentAnalysis.Classification;

/// <summary>
/// Recognises what an action does from its name alone: AWS IAM actions (<c>s3:GetObject</c>), Azure built-in role names
/// (<c>Storage Blob Data Reader</c>) and operations (<c>Microsoft.Storage/.../blobs/read</c>), and SQL privileges
/// (<c>SELECT</c>, <c>CREATEROLE</c>). Pure and allocation-free apart from lower-casing Azure operations.
/// </summary>
/// <remarks>
/// Security contract: anything that is not recognised is scored at least as a write and flagged
/// <see cref="ActionTraits.Unrecognised"/>; any <c>*</c> is a wildcard. An action is never classified lower than the
/// worst thing it can do (a role that can read keys is a privilege change, not a read).
/// </remarks>
public static class ActionClassifier
{
    /// <summary>The class of one action.</summary>
    public static ActionClass Classify(string action) => Describe(action).Class;

    /// <summary>The most risky class among the actions; <see cref="ActionClass.Read"/> when there are none.</summary>
    public static ActionClass Highest(IReadOnlyList<string> actions)
    {
        var top = ActionClass.Read;
        for (var i = 0; i < actions.Count; i++)
        {
            var c = Classify(actions[i]);
            if (c > top)
            {
                top = c;
            }
        }

        return top;
    }

    /// <summary>Class and traits of one action.</summary>
    public static ClassifiedAction Describe(string action)
    {
        var a = action.AsSpan().Trim();
        if (a.IsEmpty)
        {
            return new(action, ActionClass.Write, ActionTraits.Unrecognised);
        }

        if (a.Length == 1 && a[0] == '*')
        {
            return new(action, ActionClass.Wildcard, AllTraits);
        }

        if (a.StartsWith("Microsoft.", StringComparison.OrdinalIgnoreCase) || a.Contains('/'))
        {
            return AzureOperation(action, a.ToString().ToLowerInvariant());
        }

        var colon = a.IndexOf(':');
        if (colon > 0 && colon < a.Length - 1 && a.IndexOf(' ') < 0)
        {
            return Aws(action, a[..colon].ToString().ToLowerInvariant(), a[(colon + 1)..]);
        }

        if (Sql(action, a) is { } sql)
        {
            return sql;
        }

        if (AzureRole(action, a) is { } role)
        {
            return role;
        }

        return new(action, a.Contains('*') ? ActionClass.Wildcard : ActionClass.Write, a.Contains('*') ? AllTraits : ActionTraits.Unrecognised);
    }

    /// <summary>
    /// The chain markers a request raises (see <see cref="ChainSignals"/>): what its actions do, what data it touches,
    /// which environments it reaches and where it reads secrets. Sorted, without duplicates.
    /// </summary>
    public static IReadOnlyList<string> Signals(IReadOnlyList<string> actions, IReadOnlyList<ResolvedResource> resources, string? taskEnvironment)
    {
        var traits = ActionTraits.None;
        var readsOrWritesData = false;
        for (var i = 0; i < actions.Count; i++)
        {
            var d = Describe(actions[i]);
            traits |= d.Traits;
            readsOrWritesData |= d.Has(ActionTraits.DataAccess) || d.Class == ActionClass.Wildcard;
        }

        var signals = new SortedSet<string>(StringComparer.Ordinal);
        var secretRead = traits.HasFlag(ActionTraits.SecretRead);
        var anyEnvironment = false;
        foreach (var resource in resources)
        {
            var tags = resource.Catalogue?.Tags ?? [];
            var taggedSecret = tags.Contains("secrets", StringComparer.OrdinalIgnoreCase);
            if (taggedSecret && readsOrWritesData)
            {
                secretRead = true;
            }

            var env = EnvironmentName.Normalise(resource.Catalogue?.Environment) ?? EnvironmentName.Normalise(taskEnvironment);
            if (env is null)
            {
                continue;
            }

            anyEnvironment = true;
            signals.Add(ChainSignals.Environment(env));
            if (traits.HasFlag(ActionTraits.SecretRead) || (taggedSecret && readsOrWritesData))
            {
                signals.Add(ChainSignals.SecretReadIn(env));
            }
        }

        if (!anyEnvironment && EnvironmentName.Normalise(taskEnvironment) is { } taskEnv)
        {
            signals.Add(ChainSignals.Environment(taskEnv));
            if (secretRead)
            {
                signals.Add(ChainSignals.SecretReadIn(taskEnv));
            }
        }

        Add(signals, traits, ActionTraits.IdentityCreate, ChainSignals.IdentityCreated);
        Add(signals, traits, ActionTraits.PolicyAttach, ChainSignals.PolicyAttached);
        Add(signals, traits, ActionTraits.NetworkOpen, ChainSignals.NetworkOpened);
        Add(signals, traits, ActionTraits.LoggingWeaken, ChainSignals.LoggingWeakened);
        if (secretRead)
        {
            signals.Add(ChainSignals.SecretRead);
        }

        if (readsOrWritesData)
        {
            signals.Add(ChainSignals.DataStoreAccessed);
        }

        return [.. signals];
    }

    private const ActionTraits AllTraits = ActionTraits.DataAccess | ActionTraits.IdentityCreate | ActionTraits.PolicyAttach
        | ActionTraits.NetworkOpen | ActionTraits.SecretRead | ActionTraits.LoggingWeaken;

    private static void Add(SortedSet<string> signals, ActionTraits traits, ActionTraits trait, string signal)
    {
        if ((traits & trait) != 0)
        {
            signals.Add(signal);
        }
    }

    // ---------------------------------------------------------------- AWS

    private static readonly string[] DestructiveVerbs = ["Delete", "BatchDelete", "Terminate", "Remove", "Purge", "Drop", "Destroy", "Truncate", "Erase", "Wipe"];

    private static readonly string[] ReadVerbs =
    [
        "Get", "BatchGet", "List", "Describe", "Head", "Query", "Scan", "Select", "Search", "Lookup", "View", "Filter", "Read",
        "Download", "Preview", "Estimate", "Validate", "Simulate", "Test", "Check", "Detect", "Verify", "Receive", "Peek",
    ];

    private static readonly string[] DataReadVerbs =
    [
        "GetObject", "GetObjectVersion", "SelectObjectContent", "GetItem", "BatchGetItem", "Query", "Scan", "ExecuteStatement",
        "GetRecords", "ReceiveMessage", "GetLogEvents", "FilterLogEvents", "GetQueryResults", "StartQuery", "GetSecretValue",
        "BatchGetSecretValue", "GetParameter", "GetParameters", "GetParametersByPath", "Decrypt", "DownloadDBLogFilePortion",
    ];

    private static readonly string[] StoreDeletions =
    [
        "DeleteTable", "DeleteBucket", "DeleteDBInstance", "DeleteDBCluster", "DeleteQueue", "DeleteSecret", "DeleteStream",
        "DeleteFileSystem", "DeleteBackupVault", "DeleteRepository", "DeleteDatabase", "DeleteCluster", "DeleteGlobalTable",
        "DeleteDeliveryStream", "DeleteDomain", "DeleteVolume", "DeleteSnapshot", "DeleteDBSnapshot", "DeleteDBClusterSnapshot",
    ];

    private static ClassifiedAction Aws(string action, string service, ReadOnlySpan<char> verb)
    {
        if (verb.Contains('*'))
        {
            return new(action, ActionClass.Wildcard, ServiceTraits(service));
        }

        var isRead = StartsWithAny(verb, ReadVerbs) && !StartsWithAny(verb, DestructiveVerbs);
        var data = IsAny(verb, DataReadVerbs) ? ActionTraits.DataAccess : ActionTraits.None;

        // Starting or stopping a query (athena:StartQueryExecution) reads data; it changes nothing but its own results.
        if ((verb.StartsWith("Start", StringComparison.Ordinal) || verb.StartsWith("Stop", StringComparison.Ordinal) || verb.StartsWith("Cancel", StringComparison.Ordinal))
            && verb.Contains("Query", StringComparison.Ordinal))
        {
            return new(action, ActionClass.Read, verb.StartsWith("Start", StringComparison.Ordinal) ? ActionTraits.DataAccess | ActionTraits.QueryExecution : ActionTraits.None);
        }
        switch (service)
        {
            case "iam":
                if (isRead || verb.StartsWith("Generate", StringComparison.Ordinal))
                {
                    return new(action, ActionClass.Read, ActionTraits.None);
                }

                var iamTraits = ActionTraits.None;
                if (IsAny(verb, ["CreateUser", "CreateRole", "CreateServiceLinkedRole", "CreateLoginProfile", "CreateAccessKey", "CreateInstanceProfile", "CreateServiceSpecificCredential"]))
                {
                    iamTraits |= ActionTraits.IdentityCreate;
                }

                if (verb.StartsWith("Attach", StringComparison.Ordinal) || (verb.StartsWith("Put", StringComparison.Ordinal) && verb.EndsWith("Policy", StringComparison.Ordinal))
                    || IsAny(verb, ["AddUserToGroup", "UpdateAssumeRolePolicy", "PassRole", "AddRoleToInstanceProfile", "CreatePolicyVersion", "SetDefaultPolicyVersion", "PutRolePermissionsBoundary", "DeleteRolePermissionsBoundary"]))
                {
                    iamTraits |= ActionTraits.PolicyAttach;
                }

                return new(action, ActionClass.PrivilegeChange, iamTraits);

            case "sts":
                return verb.StartsWith("AssumeRole", StringComparison.Ordinal) || IsAny(verb, ["GetFederationToken", "GetSessionToken"])
                    ? new(action, ActionClass.PrivilegeChange, ActionTraits.None)
                    : new(action, ActionClass.Read, ActionTraits.None);

            case "organizations" or "sso" or "identitystore" or "sso-directory":
                return isRead ? new(action, ActionClass.Read, ActionTraits.None) : new(action, ActionClass.PrivilegeChange, ActionTraits.PolicyAttach);

            case "kms":
                if (IsAny(verb, ["Decrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext", "GenerateDataKeyPair", "ReEncryptFrom", "ReEncryptTo", "ExportKey"]))
                {
                    return new(action, ActionClass.Read, ActionTraits.SecretRead | ActionTraits.DataAccess);
                }

                if (IsAny(verb, ["ScheduleKeyDeletion", "DisableKey", "DeleteImportedKeyMaterial"]))
                {
                    return new(action, ActionClass.Destructive, ActionTraits.None);
                }

                if (verb.Contains("Grant", StringComparison.Ordinal) || verb.Contains("KeyPolicy", StringComparison.Ordinal) || verb.Contains("KeyRotation", StringComparison.Ordinal))
                {
                    return new(action, ActionClass.PrivilegeChange, ActionTraits.PolicyAttach);
                }

                break;

            case "secretsmanager" or "ssm" when IsAny(verb, ["GetSecretValue", "BatchGetSecretValue", "GetParameter", "GetParameters", "GetParametersByPath"]):
                return new(action, ActionClass.Read, ActionTraits.SecretRead | ActionTraits.DataAccess);

            case "ssm" when IsAny(verb, ["SendCommand", "StartSession", "ResumeSession", "StartAutomationExecution"]):
                // A shell or command on an instance runs with the instance's role: it can do anything that role can.
                return new(action, ActionClass.PrivilegeChange, ActionTraits.None);

            case "cloudtrail":
                if (verb.StartsWith("Stop", StringComparison.Ordinal) || verb.StartsWith("Delete", StringComparison.Ordinal) || verb.StartsWith("Update", StringComparison.Ordinal)
                    || verb.StartsWith("Put", StringComparison.Ordinal) || verb.StartsWith("Remove", StringComparison.Ordinal))
                {
                    return new(action, ActionClass.PrivilegeChange, ActionTraits.LoggingWeaken);
                }

                break;

            case "logs":
                if (verb.StartsWith("Delete", StringComparison.Ordinal) || IsAny(verb, ["PutRetentionPolicy", "DisassociateKmsKey", "UntagLogGroup"]))
                {
                    return new(action, ActionClass.PrivilegeChange, ActionTraits.LoggingWeaken | (verb.SequenceEqual("DeleteLogGroup") ? ActionTraits.DestroysStore : ActionTraits.None));
                }

                if (IsAny(verb, ["StartLiveTail"]))
                {
                    return new(action, ActionClass.Read, ActionTraits.DataAccess);
                }

                break;

            case "guardduty" or "config" or "securityhub" or "access-analyzer" or "inspector2" or "macie2" or "detective":
                if (verb.StartsWith("Delete", StringComparison.Ordinal) || verb.StartsWith("Stop", StringComparison.Ordinal) || verb.StartsWith("Disable", StringComparison.Ordinal)
                    || verb.StartsWith("Update", StringComparison.Ordinal) || verb.StartsWith("Disassociate", StringComparison.Ordinal) || verb.StartsWith("Archive", StringComparison.Ordinal))
                {
                    return new(action, ActionClass.PrivilegeChange, ActionTraits.LoggingWeaken);
                }

                break;

            case "ec2" or "rds" or "redshift" or "elasticache":
                if (verb.StartsWith("Authorize", StringComparison.Ordinal) || IsAny(verb, ["ModifySecurityGroupRules", "CreateNetworkAclEntry", "ReplaceNetworkAclEntry", "CreateRoute", "ReplaceRoute", "AttachInternetGateway", "CreateVpcPeeringConnection", "AcceptVpcPeeringConnection", "AssociateAddress", "ModifyDBInstance" /* can set PubliclyAccessible */]))
                {
                    return new(action, ActionClass.PrivilegeChange, ActionTraits.NetworkOpen);
                }

                if (verb.StartsWith("RevokeSecurityGroup", StringComparison.Ordinal) || verb.Contains("SecurityGroup", StringComparison.Ordinal) || verb.Contains("NetworkAcl", StringComparison.Ordinal))
                {
                    return new(action, ActionClass.PrivilegeChange, ActionTraits.None);
                }

                if (IsAny(verb, ["DeleteFlowLogs"]))
                {
                    return new(action, ActionClass.PrivilegeChange, ActionTraits.LoggingWeaken);
                }

                if (IsAny(verb, ["GetPasswordData"]))
                {
                    return new(action, ActionClass.Read, ActionTraits.SecretRead);
                }

                if (verb.StartsWith("Terminate", StringComparison.Ordinal))
                {
                    return new(action, ActionClass.Destructive, ActionTraits.None);
                }

                break;

            case "s3":
                if (IsAny(verb, ["PutBucketPolicy", "DeleteBucketPolicy", "PutBucketAcl", "PutObjectAcl", "PutBucketPublicAccessBlock", "DeletePublicAccessBlock", "DeleteBucketPublicAccessBlock", "PutBucketOwnershipControls", "PutAccessPointPolicy", "PutAccountPublicAccessBlock"]))
                {
                    return new(action, ActionClass.PrivilegeChange, ActionTraits.PolicyAttach);
                }

                if (IsAny(verb, ["PutBucketLogging", "PutBucketVersioning", "PutObjectRetention", "PutObjectLegalHold", "BypassGovernanceRetention"]))
                {
                    return new(action, ActionClass.PrivilegeChange, ActionTraits.LoggingWeaken);
                }

                if (verb.EndsWith("Object", StringComparison.Ordinal) || verb.EndsWith("Objects", StringComparison.Ordinal) || verb.Contains("ObjectVersion", StringComparison.Ordinal))
                {
                    data = ActionTraits.DataAccess;
                }

                break;

            case "dynamodb" or "rds-data" or "rds-db" or "sqs" or "kinesis" or "firehose" or "athena" or "redshift-data" or "glue":
                if (!verb.StartsWith("Describe", StringComparison.Ordinal) && !verb.StartsWith("List", StringComparison.Ordinal) && !verb.EndsWith("Policy", StringComparison.Ordinal)
                    && !verb.Contains("Permission", StringComparison.Ordinal) && !verb.EndsWith("Table", StringComparison.Ordinal) && !verb.EndsWith("Queue", StringComparison.Ordinal))
                {
                    data = ActionTraits.DataAccess;
                }

                if (service == "rds-db" && verb.SequenceEqual("connect"))
                {
                    return new(action, ActionClass.Write, ActionTraits.DataAccess);
                }

                break;
        }

        // Generic shapes that cross services: policies, permissions, grants.
        if (verb.StartsWith("Attach", StringComparison.Ordinal) || verb.StartsWith("Detach", StringComparison.Ordinal))
        {
            return new(action, ActionClass.PrivilegeChange, verb.StartsWith("Attach", StringComparison.Ordinal) ? ActionTraits.PolicyAttach : ActionTraits.None);
        }

        if (verb.EndsWith("Policy", StringComparison.Ordinal) && (verb.StartsWith("Put", StringComparison.Ordinal) || verb.StartsWith("Set", StringComparison.Ordinal) || verb.StartsWith("Delete", StringComparison.Ordinal) || verb.StartsWith("Update", StringComparison.Ordinal) || verb.StartsWith("Create", StringComparison.Ordinal)))
        {
            return new(action, ActionClass.PrivilegeChange, verb.StartsWith("Delete", StringComparison.Ordinal) ? ActionTraits.None : ActionTraits.PolicyAttach);
        }

        if (!isRead && (verb.EndsWith("Permission", StringComparison.Ordinal) || verb.EndsWith("Grant", StringComparison.Ordinal) || verb.StartsWith("Revoke", StringComparison.Ordinal)))
        {
            return new(action, ActionClass.PrivilegeChange, ActionTraits.PolicyAttach);
        }

        if (StartsWithAny(verb, DestructiveVerbs))
        {
            return new(action, ActionClass.Destructive, data | (IsAny(verb, StoreDeletions) ? ActionTraits.DestroysStore : ActionTraits.None));
        }

        return isRead ? new(action, ActionClass.Read, data) : new(action, ActionClass.Write, data);
    }

    private static ActionTraits ServiceTraits(string service) => service switch
    {
        "iam" or "organizations" or "sso" or "identitystore" => ActionTraits.IdentityCreate | ActionTraits.PolicyAttach,
        "sts" => ActionTraits.PolicyAttach,
        "ec2" or "rds" => ActionTraits.NetworkOpen | ActionTraits.DataAccess,
        "cloudtrail" or "logs" or "guardduty" or "config" or "securityhub" => ActionTraits.LoggingWeaken | ActionTraits.DataAccess,
        "secretsmanager" or "kms" or "ssm" => ActionTraits.SecretRead | ActionTraits.DataAccess | ActionTraits.PolicyAttach,
        "s3" => ActionTraits.DataAccess | ActionTraits.PolicyAttach,
        _ => ActionTraits.DataAccess,
    };

    // ---------------------------------------------------------------- Azure operations

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
            return new(action, ActionClass.Write, ActionTraits.None);
        }

        if (last == "action" && (op.EndsWith("/receive/action", StringComparison.Ordinal) || op.EndsWith("/peek/action", StringComparison.Ordinal)))
        {
            // Receiving or peeking a message reads it (Service Bus, Event Hubs).
            return new(action, ActionClass.Read, ActionTraits.DataAccess);
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

    // ---------------------------------------------------------------- SQL privileges

    private static ClassifiedAction? Sql(string action, ReadOnlySpan<char> privilege)
    {
        if (privilege.Length > 64)
        {
            return null;
        }

        if (privilege.StartsWith("pg_", StringComparison.OrdinalIgnoreCase))
        {
            if (privilege.Equals("pg_read_all_data", StringComparison.OrdinalIgnoreCase) || privilege.Equals("pg_read_all_stats", StringComparison.OrdinalIgnoreCase)
                || privilege.Equals("pg_monitor", StringComparison.OrdinalIgnoreCase) || privilege.Equals("pg_read_all_settings", StringComparison.OrdinalIgnoreCase))
            {
                return new(action, ActionClass.Read, privilege.Equals("pg_read_all_data", StringComparison.OrdinalIgnoreCase) ? ActionTraits.DataAccess : ActionTraits.None);
            }

            if (privilege.Equals("pg_write_all_data", StringComparison.OrdinalIgnoreCase))
            {
                return new(action, ActionClass.Write, ActionTraits.DataAccess);
            }

            return new(action, ActionClass.PrivilegeChange, ActionTraits.None);
        }

        Span<char> buffer = stackalloc char[privilege.Length];
        var n = 0;
        var lastSpace = true;
        foreach (var ch in privilege)
        {
            var space = char.IsWhiteSpace(ch) || ch == '_';
            if (space && lastSpace)
            {
                continue;
            }

            buffer[n++] = space ? ' ' : char.ToUpperInvariant(ch);
            lastSpace = space;
        }

        ReadOnlySpan<char> p = buffer[..n].TrimEnd(' ');
        var on = p.IndexOf(" ON ", StringComparison.Ordinal);
        if (on > 0)
        {
            p = p[..on];
        }

        return p switch
        {
            "SELECT" => new(action, ActionClass.Read, ActionTraits.DataAccess),
            "USAGE" or "CONNECT" => new(action, ActionClass.Read, ActionTraits.None),
            "INSERT" or "UPDATE" or "COPY" => new(action, ActionClass.Write, ActionTraits.DataAccess),
            "TEMPORARY" or "TEMP" or "CREATE" or "ALTER" or "REFERENCES" or "TRIGGER" or "EXECUTE" or "MAINTAIN" or "CREATE TABLE" or "ALTER TABLE" or "CREATE INDEX" or "CREATE SCHEMA" => new(action, ActionClass.Write, ActionTraits.None),
            "DELETE" => new(action, ActionClass.Destructive, ActionTraits.DataAccess),
            "TRUNCATE" => new(action, ActionClass.Destructive, ActionTraits.DataAccess | ActionTraits.DestroysStore),
            "DROP" or "DROP TABLE" or "DROP SCHEMA" or "DROP DATABASE" => new(action, ActionClass.Destructive, ActionTraits.DestroysStore),
            "CREATEROLE" or "CREATE ROLE" or "CREATE USER" or "CREATEUSER" => new(action, ActionClass.PrivilegeChange, ActionTraits.IdentityCreate),
            "GRANT" or "GRANT OPTION" or "WITH GRANT OPTION" or "ALTER ROLE" or "ALTER USER" or "ALTER DEFAULT PRIVILEGES" or "ADMIN OPTION" or "WITH ADMIN OPTION" => new(action, ActionClass.PrivilegeChange, ActionTraits.PolicyAttach),
            "REVOKE" or "SET ROLE" or "SUPERUSER" or "BYPASSRLS" or "REPLICATION" or "CREATEDB" or "LOGIN" or "SET SESSION AUTHORIZATION" => new(action, ActionClass.PrivilegeChange, ActionTraits.None),
            "ALTER SYSTEM" => new(action, ActionClass.PrivilegeChange, ActionTraits.LoggingWeaken),
            "ALL" or "ALL PRIVILEGES" => new(action, ActionClass.Wildcard, ActionTraits.DataAccess | ActionTraits.PolicyAttach),
            _ => null,
        };
    }

    // ---------------------------------------------------------------- helpers

    private static bool StartsWithAny(ReadOnlySpan<char> verb, string[] prefixes)
    {
        foreach (var prefix in prefixes)
        {
            if (verb.StartsWith(prefix, StringComparison.Ordinal) && (verb.Length == prefix.Length || !char.IsLower(verb[prefix.Length])))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsAny(ReadOnlySpan<char> verb, ReadOnlySpan<string> values)
    {
        foreach (var value in values)
        {
            if (verb.SequenceEqual(value))
            {
                return true;
            }
        }

        return false;
    }
}
