using AgentAccessBroker.Actions;
using AgentAccessBroker.Domain;

namespace AgentAccessBroker.Connectors.Aws;

/// <summary>
/// AWS IAM actions (<c>s3:GetObject</c>, <c>iam:PassRole</c>) for the intent analyzer, recognised from their name alone.
/// Any IAM action can go into a session policy, so none is listed as mintable. Pure.
/// </summary>
/// <remarks>
/// Security contract: an action is never classified lower than the worst thing it can do (<c>ssm:SendCommand</c> runs as
/// the instance's role: a privilege change); a <c>*</c> in the verb is a wildcard over the service.
/// </remarks>
internal sealed class AwsActionVocabulary : IActionVocabulary
{
    public string Connector => StsCredentialProvider.ProviderName;

    public IReadOnlyList<string> MintableActions => [];

    public ClassifiedAction? Classify(string action)
    {
        var a = action.AsSpan().Trim();
        var colon = a.IndexOf(':');
        if (colon <= 0 || colon == a.Length - 1 || a.IndexOf(' ') >= 0)
        {
            return null;
        }

        var service = a[..colon].ToString().ToLowerInvariant();
        var classified = Aws(action, service, a[(colon + 1)..]);
        return a.Equals("s3:PutObject", StringComparison.OrdinalIgnoreCase) || a.Equals("s3:AbortMultipartUpload", StringComparison.OrdinalIgnoreCase)
            ? classified with { Traits = classified.Traits | ActionTraits.ObjectWriteOnly }
            : classified;
    }

    public IReadOnlyList<string> ReadCounterparts(string action)
    {
        var a = action.Trim();
        var colon = a.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || a.Contains(' ', StringComparison.Ordinal))
        {
            return [];
        }

        var service = a[..colon].ToLowerInvariant();
        var verb = a[(colon + 1)..];
        return service switch
        {
            "s3" when verb.Contains("Object", StringComparison.Ordinal) => ["s3:GetObject"],
            "s3" when verb == "*" => ["s3:GetObject", "s3:ListBucket"],
            "s3" => ["s3:ListBucket"],
            "dynamodb" when verb.Contains("Item", StringComparison.Ordinal) || verb == "*" => ["dynamodb:GetItem", "dynamodb:Query"],
            "dynamodb" => ["dynamodb:DescribeTable"],
            "logs" => ["logs:GetLogEvents", "logs:FilterLogEvents"],
            "sqs" => ["sqs:GetQueueAttributes"],
            "sns" => ["sns:GetTopicAttributes"],
            "lambda" => ["lambda:GetFunction"],
            "secretsmanager" => ["secretsmanager:DescribeSecret"],
            "ec2" when verb.Contains("SecurityGroup", StringComparison.Ordinal) => ["ec2:DescribeSecurityGroups"],
            "ec2" => ["ec2:DescribeInstances"],
            "iam" => ["iam:GetRole"],
            "rds" => ["rds:DescribeDBInstances"],
            "kms" => ["kms:DescribeKey"],
            "cloudtrail" => ["cloudtrail:LookupEvents"],
            _ => [],
        };
    }

    /// <summary>An ARN (<c>arn:aws:s3:::bucket/key</c>, with <c>*</c> globs) or <c>*</c>.</summary>
    public bool RecognisesResource(string resource) =>
        resource.Trim() is var r && (r == "*" || (r.StartsWith("arn:", StringComparison.Ordinal) && r.Split(':').Length >= 6));

    /// <summary>An action of one service (<c>s3:GetObject</c>) acts only on resources of that service; <c>*</c> and non-ARNs are not judged.</summary>
    public bool ActsOn(string action, string resource)
    {
        var a = action.Trim();
        var colon = a.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || a.Contains(' ', StringComparison.Ordinal) || a.Contains('/', StringComparison.Ordinal)
            || ArnService(resource) is not { } service)
        {
            return true;
        }

        return a.AsSpan(0, colon).Equals(service, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>An Athena workgroup or data catalogue, or a Glue data catalogue or database: any query uses them.</summary>
    public bool IsQueryEngine(string resource)
    {
        var r = resource.Trim();
        return ArnService(r) switch
        {
            "athena" => true,
            "glue" => r.EndsWith(":catalog", StringComparison.Ordinal) || r.Contains(":database/", StringComparison.Ordinal),
            _ => false,
        };
    }

    /// <summary>The service segment of an ARN (<c>arn:partition:service:region:account:resource</c>), lower case; null when not an ARN.</summary>
    private static string? ArnService(string resource)
    {
        var parts = resource.Trim().Split(':', 4);
        return parts.Length == 4 && parts[0] == "arn" && parts[2].Length > 0 ? parts[2].ToLowerInvariant() : null;
    }

    private static readonly string[] DestructiveVerbs = ["Delete", "BatchDelete", "Terminate", "Remove", "Purge", "Drop", "Destroy", "Truncate", "Erase", "Wipe"];

    private static readonly string[] ReadVerbs =
    [
        "Get", "BatchGet", "List", "Describe", "Head", "Query", "Scan", "Select", "Search", "Lookup", "View", "Filter", "Read",
        "Download", "Preview", "Estimate", "Validate", "Simulate", "Test", "Check", "Detect", "Verify", "Receive", "Peek",

        // Stateless computations over the caller's input: a route, a translation, an analysis of a document or image.
        "Calculate", "Translate", "Analyze", "Recognize", "Compare", "Classify",
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
        // Actions named after the HTTP method they allow: the method says it. OpenSearch's es:ESHttpGet reaches the
        // documents (data); API Gateway's apigateway:GET reads the API's own settings.
        if (HttpMethodClass(verb) is { } byMethod)
        {
            return new(action, byMethod, ActionTraits.DataAccess);
        }

        ActionClass? method = verb switch
        {
            "GET" or "HEAD" or "OPTIONS" => ActionClass.Read,
            "POST" or "PUT" or "PATCH" => ActionClass.Write,
            "DELETE" => ActionClass.Destructive,
            _ => null,
        };
        if (method is { } byVerb)
        {
            return new(action, byVerb, ActionTraits.None);
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

            case "cloudfront" when verb.SequenceEqual("CreateInvalidation"):
                return new(action, ActionClass.Write, ActionTraits.RefreshesCache);

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

    private static ActionClass? HttpMethodClass(ReadOnlySpan<char> verb)
    {
        var at = verb.IndexOf("Http", StringComparison.Ordinal);
        if (at < 0)
        {
            return null;
        }

        return verb[(at + 4)..] switch
        {
            "Get" or "Head" or "Options" => ActionClass.Read,
            "Delete" => ActionClass.Destructive,
            "Post" or "Put" or "Patch" => ActionClass.Write,
            _ => null,
        };
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
