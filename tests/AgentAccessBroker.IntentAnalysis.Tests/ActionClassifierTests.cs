using AgentAccessBroker.Decisions;
using AgentAccessBroker.Domain;
using AgentAccessBroker.IntentAnalysis.Classification;
using AgentAccessBroker.Policy;

namespace AgentAccessBroker.IntentAnalysis.Tests;

public sealed class ActionClassifierTests
{
    [Theory]
    [InlineData("Microsoft.Cdn/profiles/endpoints/purge/action")]
    [InlineData("Azure Kubernetes Service Cluster User Role")]
    [InlineData("sqs:ReceiveMessage")]
    public void Describe_ActionsOnceMisread_AreRecognisedAndDestroyNoStore(string action)
    {
        var described = ActionClassifier.Describe(action);

        Assert.False(described.Has(ActionTraits.Unrecognised));
        Assert.False(described.Has(ActionTraits.DestroysStore));
    }

    [Theory]
    // AWS IAM actions
    [InlineData("s3:GetObject", ActionClass.Read)]
    [InlineData("s3:ListBucket", ActionClass.Read)]
    [InlineData("dynamodb:Query", ActionClass.Read)]
    [InlineData("dynamodb:BatchGetItem", ActionClass.Read)]
    [InlineData("ec2:DescribeInstances", ActionClass.Read)]
    [InlineData("s3:HeadObject", ActionClass.Read)]
    [InlineData("logs:StartQuery", ActionClass.Read)]
    [InlineData("sqs:ReceiveMessage", ActionClass.Read)]
    [InlineData("athena:StartQueryExecution", ActionClass.Read)]
    [InlineData("athena:StopQueryExecution", ActionClass.Read)]
    [InlineData("cloudfront:CreateInvalidation", ActionClass.Write)]
    [InlineData("Microsoft.ServiceBus/namespaces/messages/receive/action", ActionClass.Read)]
    [InlineData("Microsoft.Cdn/profiles/endpoints/purge/action", ActionClass.Write)]
    [InlineData("Azure Kubernetes Service Cluster User Role", ActionClass.Write)]
    [InlineData("Azure Kubernetes Service Cluster Admin Role", ActionClass.PrivilegeChange)]
    [InlineData("Azure Service Bus Data Receiver", ActionClass.Read)]
    [InlineData("Storage Queue Data Message Sender", ActionClass.Write)]
    [InlineData("Schema Registry Reader (Preview)", ActionClass.Read)]
    [InlineData("AcrPull", ActionClass.Read)]
    [InlineData("AcrPush", ActionClass.Write)]
    [InlineData("iam:GetRole", ActionClass.Read)]
    [InlineData("sts:GetCallerIdentity", ActionClass.Read)]
    [InlineData("s3:PutObject", ActionClass.Write)]
    [InlineData("lambda:InvokeFunction", ActionClass.Write)]
    [InlineData("sqs:SendMessage", ActionClass.Write)]
    [InlineData("ec2:StartInstances", ActionClass.Write)]
    [InlineData("s3:PutObjectTagging", ActionClass.Write)]
    [InlineData("dynamodb:UpdateItem", ActionClass.Write)]
    [InlineData("s3:DeleteObject", ActionClass.Destructive)]
    [InlineData("ec2:TerminateInstances", ActionClass.Destructive)]
    [InlineData("sqs:PurgeQueue", ActionClass.Destructive)]
    [InlineData("dynamodb:DeleteTable", ActionClass.Destructive)]
    [InlineData("s3:DeleteBucket", ActionClass.Destructive)]
    [InlineData("iam:CreateRole", ActionClass.PrivilegeChange)]
    [InlineData("iam:AttachRolePolicy", ActionClass.PrivilegeChange)]
    [InlineData("iam:PassRole", ActionClass.PrivilegeChange)]
    [InlineData("sts:AssumeRole", ActionClass.PrivilegeChange)]
    [InlineData("kms:PutKeyPolicy", ActionClass.PrivilegeChange)]
    [InlineData("kms:CreateGrant", ActionClass.PrivilegeChange)]
    [InlineData("ec2:AuthorizeSecurityGroupIngress", ActionClass.PrivilegeChange)]
    [InlineData("ec2:CreateNetworkAclEntry", ActionClass.PrivilegeChange)]
    [InlineData("cloudtrail:StopLogging", ActionClass.PrivilegeChange)]
    [InlineData("cloudtrail:DeleteTrail", ActionClass.PrivilegeChange)]
    [InlineData("logs:DeleteLogGroup", ActionClass.PrivilegeChange)]
    [InlineData("s3:PutBucketPolicy", ActionClass.PrivilegeChange)]
    [InlineData("organizations:CreateAccount", ActionClass.PrivilegeChange)]
    [InlineData("lambda:AddPermission", ActionClass.PrivilegeChange)]
    [InlineData("sns:SetTopicPolicy", ActionClass.PrivilegeChange)]
    [InlineData("s3:*", ActionClass.Wildcard)]
    [InlineData("s3:Get*", ActionClass.Wildcard)]
    [InlineData("*", ActionClass.Wildcard)]
    // Azure built-in roles
    [InlineData("Reader", ActionClass.Read)]
    [InlineData("Storage Blob Data Reader", ActionClass.Read)]
    [InlineData("Log Analytics Reader", ActionClass.Read)]
    [InlineData("Key Vault Secrets User", ActionClass.Read)]
    [InlineData("Contributor", ActionClass.Write)]
    [InlineData("Storage Blob Data Contributor", ActionClass.Write)]
    [InlineData("Website Contributor", ActionClass.Write)]
    [InlineData("Owner", ActionClass.PrivilegeChange)]
    [InlineData("User Access Administrator", ActionClass.PrivilegeChange)]
    [InlineData("Role Based Access Control Administrator", ActionClass.PrivilegeChange)]
    [InlineData("Key Vault Administrator", ActionClass.PrivilegeChange)]
    [InlineData("Network Contributor", ActionClass.PrivilegeChange)]
    [InlineData("Storage Account Contributor", ActionClass.PrivilegeChange)]
    [InlineData("storage   blob data READER", ActionClass.Read)]
    // Azure operations
    [InlineData("Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read", ActionClass.Read)]
    [InlineData("Microsoft.Web/sites/config/write", ActionClass.Write)]
    [InlineData("Microsoft.Compute/virtualMachines/start/action", ActionClass.Write)]
    [InlineData("Microsoft.Compute/virtualMachines/delete", ActionClass.Destructive)]
    [InlineData("Microsoft.Authorization/roleAssignments/write", ActionClass.PrivilegeChange)]
    [InlineData("Microsoft.Authorization/roleDefinitions/write", ActionClass.PrivilegeChange)]
    [InlineData("Microsoft.Authorization/roleAssignments/read", ActionClass.Read)]
    [InlineData("Microsoft.Network/networkSecurityGroups/securityRules/write", ActionClass.PrivilegeChange)]
    [InlineData("Microsoft.Insights/diagnosticSettings/delete", ActionClass.PrivilegeChange)]
    [InlineData("Microsoft.Storage/storageAccounts/listKeys/action", ActionClass.PrivilegeChange)]
    [InlineData("Microsoft.Compute/virtualMachines/runCommand/action", ActionClass.PrivilegeChange)]
    [InlineData("Microsoft.Storage/*", ActionClass.Wildcard)]
    [InlineData("*/read", ActionClass.Wildcard)]
    // SQL privileges
    [InlineData("SELECT", ActionClass.Read)]
    [InlineData("select", ActionClass.Read)]
    [InlineData("USAGE", ActionClass.Read)]
    [InlineData("INSERT", ActionClass.Write)]
    [InlineData("UPDATE", ActionClass.Write)]
    [InlineData("DELETE", ActionClass.Destructive)]
    [InlineData("TRUNCATE", ActionClass.Destructive)]
    [InlineData("DROP", ActionClass.Destructive)]
    [InlineData("GRANT", ActionClass.PrivilegeChange)]
    [InlineData("CREATEROLE", ActionClass.PrivilegeChange)]
    [InlineData("CREATE ROLE", ActionClass.PrivilegeChange)]
    [InlineData("ALTER ROLE", ActionClass.PrivilegeChange)]
    [InlineData("SUPERUSER", ActionClass.PrivilegeChange)]
    [InlineData("pg_read_all_data", ActionClass.Read)]
    [InlineData("ALL", ActionClass.Wildcard)]
    [InlineData("ALL PRIVILEGES", ActionClass.Wildcard)]
    public void Classify_KnownAction_ReturnsItsClass(string action, ActionClass expected)
    {
        var actual = ActionClassifier.Classify(action);

        Assert.Equal(expected, actual);
    }

    [Theory]
    [InlineData("frobnicate")]
    [InlineData("")]
    [InlineData("Some Custom Role Thing")]
    public void Describe_UnrecognisedAction_IsAtLeastWriteAndFlagged(string action)
    {
        var described = ActionClassifier.Describe(action);

        Assert.True(described.Class >= ActionClass.Write);
        Assert.True(described.Has(ActionTraits.Unrecognised));
    }

    [Theory]
    [InlineData("iam:CreateUser", ActionTraits.IdentityCreate)]
    [InlineData("CREATEROLE", ActionTraits.IdentityCreate)]
    [InlineData("Microsoft.ManagedIdentity/userAssignedIdentities/write", ActionTraits.IdentityCreate)]
    [InlineData("iam:AttachUserPolicy", ActionTraits.PolicyAttach)]
    [InlineData("GRANT", ActionTraits.PolicyAttach)]
    [InlineData("Microsoft.Authorization/roleAssignments/write", ActionTraits.PolicyAttach)]
    [InlineData("ec2:AuthorizeSecurityGroupIngress", ActionTraits.NetworkOpen)]
    [InlineData("Microsoft.Sql/servers/firewallRules/write", ActionTraits.NetworkOpen)]
    [InlineData("secretsmanager:GetSecretValue", ActionTraits.SecretRead)]
    [InlineData("Key Vault Secrets User", ActionTraits.SecretRead)]
    [InlineData("cloudtrail:StopLogging", ActionTraits.LoggingWeaken)]
    [InlineData("Microsoft.Insights/diagnosticSettings/delete", ActionTraits.LoggingWeaken)]
    [InlineData("s3:GetObject", ActionTraits.DataAccess)]
    [InlineData("SELECT", ActionTraits.DataAccess)]
    [InlineData("DROP", ActionTraits.DestroysStore)]
    [InlineData("dynamodb:DeleteTable", ActionTraits.DestroysStore)]
    public void Describe_Action_HasTrait(string action, ActionTraits trait)
    {
        var described = ActionClassifier.Describe(action);

        Assert.True(described.Has(trait), $"{action} lacks {trait}: {described.Traits}");
    }

    [Theory]
    [InlineData("s3:ListBucket")]
    [InlineData("dynamodb:DescribeTable")]
    [InlineData("Reader")]
    public void Describe_MetadataRead_DoesNotTouchData(string action)
    {
        var described = ActionClassifier.Describe(action);

        Assert.Equal(ActionClass.Read, described.Class);
        Assert.False(described.Has(ActionTraits.DataAccess));
    }

    [Fact]
    public void Highest_MixedActions_ReturnsMostRisky()
    {
        var highest = ActionClassifier.Highest(["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]);

        Assert.Equal(ActionClass.Destructive, highest);
    }

    [Fact]
    public void Signals_SecretReadInDev_RecordsWhereTheSecretWasRead()
    {
        var secret = new ResourcePolicy("arn:aws:secretsmanager:eu-west-1:1:secret:dev/*", Sensitivity.Medium, "development", ["secrets"], null);

        var signals = ActionClassifier.Signals(["secretsmanager:GetSecretValue"], [new ResolvedResource("arn:aws:secretsmanager:eu-west-1:1:secret:dev/db", secret)], "dev");

        Assert.Contains(ChainSignals.SecretRead, signals);
        Assert.Contains(ChainSignals.SecretReadIn("dev"), signals);
        Assert.Contains(ChainSignals.Environment("dev"), signals);
        Assert.Contains(ChainSignals.DataStoreAccessed, signals);
    }

    [Fact]
    public void Signals_SelectOnTableTaggedSecrets_CountsAsSecretRead()
    {
        var table = new ResourcePolicy("app.public.api_keys", Sensitivity.High, "prod", ["secrets"], null);

        var signals = ActionClassifier.Signals(["SELECT"], [new ResolvedResource("app.public.api_keys", table)], null);

        Assert.Contains(ChainSignals.SecretReadIn("prod"), signals);
    }

    [Fact]
    public void Signals_IdentityAndPolicy_AreBothRaised()
    {
        var signals = ActionClassifier.Signals(["iam:CreateRole", "iam:AttachRolePolicy"], [], "dev");

        Assert.Equal([ChainSignals.Environment("dev"), ChainSignals.IdentityCreated, ChainSignals.PolicyAttached], signals);
    }
}
