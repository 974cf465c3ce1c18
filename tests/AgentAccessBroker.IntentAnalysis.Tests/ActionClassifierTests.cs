using AgentAccessBroker.Actions;
using AgentAccessBroker.Decisions;
using AgentAccessBroker.Domain;
using AgentAccessBroker.IntentAnalysis.Classification;
using AgentAccessBroker.Policy;

namespace AgentAccessBroker.IntentAnalysis.Tests;

public sealed class ActionClassifierTests
{
    [Theory]
    [InlineData("azure", "Microsoft.Cdn/profiles/endpoints/purge/action")]
    [InlineData("azure", "Azure Kubernetes Service Cluster User Role")]
    [InlineData("aws", "sqs:ReceiveMessage")]
    public void Describe_ActionsOnceMisread_AreRecognisedAndDestroyNoStore(string connector, string action)
    {
        var described = ActionClassifier.Describe(TestVocabularies.All.For(connector), action);

        Assert.False(described.Has(ActionTraits.Unrecognised));
        Assert.False(described.Has(ActionTraits.DestroysStore));
    }

    [Theory]
    // AWS IAM actions
    [InlineData("aws", "s3:GetObject", ActionClass.Read)]
    [InlineData("aws", "s3:ListBucket", ActionClass.Read)]
    [InlineData("aws", "dynamodb:Query", ActionClass.Read)]
    [InlineData("aws", "dynamodb:BatchGetItem", ActionClass.Read)]
    [InlineData("aws", "ec2:DescribeInstances", ActionClass.Read)]
    [InlineData("aws", "s3:HeadObject", ActionClass.Read)]
    [InlineData("aws", "logs:StartQuery", ActionClass.Read)]
    [InlineData("aws", "sqs:ReceiveMessage", ActionClass.Read)]
    [InlineData("aws", "athena:StartQueryExecution", ActionClass.Read)]
    [InlineData("aws", "geo:CalculateRoute", ActionClass.Read)]
    [InlineData("aws", "translate:TranslateText", ActionClass.Read)]
    [InlineData("aws", "athena:StopQueryExecution", ActionClass.Read)]
    [InlineData("aws", "cloudfront:CreateInvalidation", ActionClass.Write)]
    [InlineData("aws", "es:ESHttpGet", ActionClass.Read)]
    [InlineData("aws", "es:ESHttpHead", ActionClass.Read)]
    [InlineData("aws", "es:ESHttpPut", ActionClass.Write)]
    [InlineData("aws", "es:ESHttpDelete", ActionClass.Destructive)]
    [InlineData("aws", "apigateway:GET", ActionClass.Read)]
    [InlineData("aws", "apigateway:PATCH", ActionClass.Write)]
    [InlineData("aws", "apigateway:DELETE", ActionClass.Destructive)]
    [InlineData("azure", "Microsoft.ServiceBus/namespaces/messages/receive/action", ActionClass.Read)]
    [InlineData("azure", "Microsoft.Cdn/profiles/endpoints/purge/action", ActionClass.Write)]
    [InlineData("azure", "Azure Kubernetes Service Cluster User Role", ActionClass.Write)]
    [InlineData("azure", "Azure Kubernetes Service Cluster Admin Role", ActionClass.PrivilegeChange)]
    [InlineData("azure", "Azure Service Bus Data Receiver", ActionClass.Read)]
    [InlineData("azure", "Storage Queue Data Message Sender", ActionClass.Write)]
    [InlineData("azure", "Schema Registry Reader (Preview)", ActionClass.Read)]
    [InlineData("azure", "AcrPull", ActionClass.Read)]
    [InlineData("azure", "AcrPush", ActionClass.Write)]
    [InlineData("aws", "iam:GetRole", ActionClass.Read)]
    [InlineData("aws", "sts:GetCallerIdentity", ActionClass.Read)]
    [InlineData("aws", "s3:PutObject", ActionClass.Write)]
    [InlineData("aws", "lambda:InvokeFunction", ActionClass.Write)]
    [InlineData("aws", "sqs:SendMessage", ActionClass.Write)]
    [InlineData("aws", "ec2:StartInstances", ActionClass.Write)]
    [InlineData("aws", "s3:PutObjectTagging", ActionClass.Write)]
    [InlineData("aws", "dynamodb:UpdateItem", ActionClass.Write)]
    [InlineData("aws", "s3:DeleteObject", ActionClass.Destructive)]
    [InlineData("aws", "ec2:TerminateInstances", ActionClass.Destructive)]
    [InlineData("aws", "sqs:PurgeQueue", ActionClass.Destructive)]
    [InlineData("aws", "dynamodb:DeleteTable", ActionClass.Destructive)]
    [InlineData("aws", "s3:DeleteBucket", ActionClass.Destructive)]
    [InlineData("aws", "iam:CreateRole", ActionClass.PrivilegeChange)]
    [InlineData("aws", "iam:AttachRolePolicy", ActionClass.PrivilegeChange)]
    [InlineData("aws", "iam:PassRole", ActionClass.PrivilegeChange)]
    [InlineData("aws", "sts:AssumeRole", ActionClass.PrivilegeChange)]
    [InlineData("aws", "kms:PutKeyPolicy", ActionClass.PrivilegeChange)]
    [InlineData("aws", "kms:CreateGrant", ActionClass.PrivilegeChange)]
    [InlineData("aws", "ec2:AuthorizeSecurityGroupIngress", ActionClass.PrivilegeChange)]
    [InlineData("aws", "ec2:CreateNetworkAclEntry", ActionClass.PrivilegeChange)]
    [InlineData("aws", "cloudtrail:StopLogging", ActionClass.PrivilegeChange)]
    [InlineData("aws", "cloudtrail:DeleteTrail", ActionClass.PrivilegeChange)]
    [InlineData("aws", "logs:DeleteLogGroup", ActionClass.PrivilegeChange)]
    [InlineData("aws", "s3:PutBucketPolicy", ActionClass.PrivilegeChange)]
    [InlineData("aws", "organizations:CreateAccount", ActionClass.PrivilegeChange)]
    [InlineData("aws", "lambda:AddPermission", ActionClass.PrivilegeChange)]
    [InlineData("aws", "sns:SetTopicPolicy", ActionClass.PrivilegeChange)]
    [InlineData("aws", "s3:*", ActionClass.Wildcard)]
    [InlineData("aws", "s3:Get*", ActionClass.Wildcard)]
    [InlineData("azure", "*", ActionClass.Wildcard)]
    // Azure built-in roles
    [InlineData("azure", "Reader", ActionClass.Read)]
    [InlineData("azure", "Storage Blob Data Reader", ActionClass.Read)]
    [InlineData("azure", "Log Analytics Reader", ActionClass.Read)]
    [InlineData("azure", "Key Vault Secrets User", ActionClass.Read)]
    [InlineData("azure", "Contributor", ActionClass.Write)]
    [InlineData("azure", "Storage Blob Data Contributor", ActionClass.Write)]
    [InlineData("azure", "Website Contributor", ActionClass.Write)]
    [InlineData("azure", "Owner", ActionClass.PrivilegeChange)]
    [InlineData("azure", "User Access Administrator", ActionClass.PrivilegeChange)]
    [InlineData("azure", "Role Based Access Control Administrator", ActionClass.PrivilegeChange)]
    [InlineData("azure", "Key Vault Administrator", ActionClass.PrivilegeChange)]
    [InlineData("azure", "Network Contributor", ActionClass.PrivilegeChange)]
    [InlineData("azure", "Storage Account Contributor", ActionClass.PrivilegeChange)]
    [InlineData("azure", "storage   blob data READER", ActionClass.Read)]
    // Azure operations
    [InlineData("azure", "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read", ActionClass.Read)]
    [InlineData("azure", "Microsoft.Web/sites/config/write", ActionClass.Write)]
    [InlineData("azure", "Microsoft.Compute/virtualMachines/start/action", ActionClass.Write)]
    [InlineData("azure", "Microsoft.Compute/virtualMachines/delete", ActionClass.Destructive)]
    [InlineData("azure", "Microsoft.Authorization/roleAssignments/write", ActionClass.PrivilegeChange)]
    [InlineData("azure", "Microsoft.Authorization/roleDefinitions/write", ActionClass.PrivilegeChange)]
    [InlineData("azure", "Microsoft.Authorization/roleAssignments/read", ActionClass.Read)]
    [InlineData("azure", "Microsoft.Network/networkSecurityGroups/securityRules/write", ActionClass.PrivilegeChange)]
    [InlineData("azure", "Microsoft.Insights/diagnosticSettings/delete", ActionClass.PrivilegeChange)]
    [InlineData("azure", "Microsoft.Storage/storageAccounts/listKeys/action", ActionClass.PrivilegeChange)]
    [InlineData("azure", "Microsoft.Compute/virtualMachines/runCommand/action", ActionClass.PrivilegeChange)]
    [InlineData("azure", "Microsoft.Storage/*", ActionClass.Wildcard)]
    [InlineData("azure", "*/read", ActionClass.Wildcard)]
    // SQL privileges
    [InlineData("postgresql", "SELECT", ActionClass.Read)]
    [InlineData("postgresql", "select", ActionClass.Read)]
    [InlineData("postgresql", "USAGE", ActionClass.Read)]
    [InlineData("postgresql", "INSERT", ActionClass.Write)]
    [InlineData("postgresql", "UPDATE", ActionClass.Write)]
    [InlineData("postgresql", "DELETE", ActionClass.Destructive)]
    [InlineData("postgresql", "TRUNCATE", ActionClass.Destructive)]
    [InlineData("postgresql", "DROP", ActionClass.Destructive)]
    [InlineData("postgresql", "GRANT", ActionClass.PrivilegeChange)]
    [InlineData("postgresql", "CREATEROLE", ActionClass.PrivilegeChange)]
    [InlineData("postgresql", "CREATE ROLE", ActionClass.PrivilegeChange)]
    [InlineData("postgresql", "ALTER ROLE", ActionClass.PrivilegeChange)]
    [InlineData("postgresql", "SUPERUSER", ActionClass.PrivilegeChange)]
    [InlineData("postgresql", "pg_read_all_data", ActionClass.Read)]
    [InlineData("postgresql", "ALL", ActionClass.Wildcard)]
    [InlineData("postgresql", "ALL PRIVILEGES", ActionClass.Wildcard)]
    public void Classify_KnownAction_ReturnsItsClass(string connector, string action, ActionClass expected)
    {
        var actual = ActionClassifier.Classify(TestVocabularies.All.For(connector), action);

        Assert.Equal(expected, actual);
    }

    [Theory]
    [InlineData("azure", "frobnicate")]
    [InlineData("azure", "")]
    [InlineData("azure", "Some Custom Role Thing")]
    public void Describe_UnrecognisedAction_IsAtLeastWriteAndFlagged(string connector, string action)
    {
        var described = ActionClassifier.Describe(TestVocabularies.All.For(connector), action);

        Assert.True(described.Class >= ActionClass.Write);
        Assert.True(described.Has(ActionTraits.Unrecognised));
    }

    [Theory]
    [InlineData("aws", "iam:CreateUser", ActionTraits.IdentityCreate)]
    [InlineData("postgresql", "CREATEROLE", ActionTraits.IdentityCreate)]
    [InlineData("azure", "Microsoft.ManagedIdentity/userAssignedIdentities/write", ActionTraits.IdentityCreate)]
    [InlineData("aws", "iam:AttachUserPolicy", ActionTraits.PolicyAttach)]
    [InlineData("postgresql", "GRANT", ActionTraits.PolicyAttach)]
    [InlineData("azure", "Microsoft.Authorization/roleAssignments/write", ActionTraits.PolicyAttach)]
    [InlineData("aws", "ec2:AuthorizeSecurityGroupIngress", ActionTraits.NetworkOpen)]
    [InlineData("azure", "Microsoft.Sql/servers/firewallRules/write", ActionTraits.NetworkOpen)]
    [InlineData("aws", "secretsmanager:GetSecretValue", ActionTraits.SecretRead)]
    [InlineData("azure", "Key Vault Secrets User", ActionTraits.SecretRead)]
    [InlineData("aws", "cloudtrail:StopLogging", ActionTraits.LoggingWeaken)]
    [InlineData("azure", "Microsoft.Insights/diagnosticSettings/delete", ActionTraits.LoggingWeaken)]
    [InlineData("azure", "Azure Service Bus Data Receiver", ActionTraits.RemovesWhatItReads)]
    [InlineData("azure", "Microsoft.ServiceBus/namespaces/messages/receive/action", ActionTraits.RemovesWhatItReads)]
    [InlineData("aws", "s3:GetObject", ActionTraits.DataAccess)]
    [InlineData("postgresql", "SELECT", ActionTraits.DataAccess)]
    [InlineData("postgresql", "DROP", ActionTraits.DestroysStore)]
    [InlineData("aws", "dynamodb:DeleteTable", ActionTraits.DestroysStore)]
    [InlineData("aws", "cloudfront:CreateInvalidation", ActionTraits.RefreshesCache)]
    [InlineData("azure", "Microsoft.Cdn/profiles/endpoints/purge/action", ActionTraits.RefreshesCache)]
    [InlineData("github", "pull_requests:write", ActionTraits.ProposesForReview)]
    public void Describe_Action_HasTrait(string connector, string action, ActionTraits trait)
    {
        var described = ActionClassifier.Describe(TestVocabularies.All.For(connector), action);

        Assert.True(described.Has(trait), $"{action} lacks {trait}: {described.Traits}");
    }

    [Theory]
    [InlineData("aws", "s3:ListBucket")]
    [InlineData("aws", "dynamodb:DescribeTable")]
    [InlineData("azure", "Reader")]
    public void Describe_MetadataRead_DoesNotTouchData(string connector, string action)
    {
        var described = ActionClassifier.Describe(TestVocabularies.All.For(connector), action);

        Assert.Equal(ActionClass.Read, described.Class);
        Assert.False(described.Has(ActionTraits.DataAccess));
    }

    [Fact]
    public void Highest_MixedActions_ReturnsMostRisky()
    {
        var highest = ActionClassifier.Highest(TestVocabularies.Aws, ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]);

        Assert.Equal(ActionClass.Destructive, highest);
    }

    [Fact]
    public void Signals_SecretReadInDev_RecordsWhereTheSecretWasRead()
    {
        var secret = new ResourcePolicy("arn:aws:secretsmanager:eu-west-1:1:secret:dev/*", Sensitivity.Medium, "development", ["secrets"], null);

        var signals = ActionClassifier.Signals(TestVocabularies.Aws, ["secretsmanager:GetSecretValue"], [new ResolvedResource("arn:aws:secretsmanager:eu-west-1:1:secret:dev/db", secret)], "dev");

        Assert.Contains(ChainSignals.SecretRead, signals);
        Assert.Contains(ChainSignals.SecretReadIn("dev"), signals);
        Assert.Contains(ChainSignals.Environment("dev"), signals);
        Assert.Contains(ChainSignals.DataStoreAccessed, signals);
    }

    [Fact]
    public void Signals_SelectOnTableTaggedSecrets_CountsAsSecretRead()
    {
        var table = new ResourcePolicy("app.public.api_keys", Sensitivity.High, "prod", ["secrets"], null);

        var signals = ActionClassifier.Signals(TestVocabularies.PostgreSql, ["SELECT"], [new ResolvedResource("app.public.api_keys", table)], null);

        Assert.Contains(ChainSignals.SecretReadIn("prod"), signals);
    }

    [Fact]
    public void Signals_IdentityAndPolicy_AreBothRaised()
    {
        var signals = ActionClassifier.Signals(TestVocabularies.Aws, ["iam:CreateRole", "iam:AttachRolePolicy"], [], "dev");

        Assert.Equal([ChainSignals.Environment("dev"), ChainSignals.IdentityCreated, ChainSignals.PolicyAttached], signals);
    }

    [Theory]
    [InlineData("gitlab", "administration:write")]
    [InlineData("github", "teleport:write")]
    [InlineData("gcp", "roles/owner")]
    [InlineData("postgresql", "s3:GetObject")]
    [InlineData("aws", "SELECT")]
    [InlineData("aws", "Storage Blob Data Reader")]
    public void Describe_ActionOutsideTheTargetsVocabulary_IsUnrecognisedWrite(string connector, string action)
    {
        var described = ActionClassifier.Describe(TestVocabularies.All.For(connector), action);

        Assert.Equal(ActionClass.Write, described.Class);
        Assert.True(described.Has(ActionTraits.Unrecognised));
    }

    [Theory]
    [InlineData("aws", "arn:aws:s3:::prod-billing-exports/*", true)]
    [InlineData("aws", "app.public.orders", false)]
    [InlineData("azure", "/subscriptions/0000/resourceGroups/rg-dev", true)]
    [InlineData("azure", "arn:aws:s3:::bucket", false)]
    [InlineData("postgresql", "app.public.orders", true)]
    [InlineData("postgresql", "a.b.c.d", false)]
    public void RecognisesResource_ConnectorSyntax_MatchesOnlyItsOwn(string connector, string resource, bool expected)
    {
        Assert.Equal(expected, TestVocabularies.All.For(connector).RecognisesResource(resource));
    }

    [Theory]
    [InlineData("aws", "s3:PutObject", "s3:GetObject")]
    [InlineData("azure", "Storage Blob Data Contributor", "Storage Blob Data Reader")]
    [InlineData("postgresql", "UPDATE", "SELECT")]
    public void ReadCounterparts_WriteAction_NamesAReadOfTheSameConnector(string connector, string action, string read)
    {
        var vocabulary = TestVocabularies.All.For(connector);

        Assert.Contains(read, vocabulary.ReadCounterparts(action));
        Assert.Equal(ActionClass.Read, ActionClassifier.Classify(vocabulary, read));
    }

    [Fact]
    public void MintableActions_PostgreSql_AreItsGrantablePrivilegesOnly()
    {
        Assert.Equal(["SELECT", "INSERT", "UPDATE", "DELETE"], TestVocabularies.PostgreSql.MintableActions);
        Assert.Empty(TestVocabularies.Aws.MintableActions);
    }
}
