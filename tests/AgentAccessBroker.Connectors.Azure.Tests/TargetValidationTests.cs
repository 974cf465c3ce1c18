using AgentAccessBroker.Connectors.Azure.Tests.Fakes;
using AgentAccessBroker.Credentials;

namespace AgentAccessBroker.Connectors.Azure.Tests;

public sealed class TargetValidationTests
{
    private static TargetSettings Target(Action<Dictionary<string, string>>? change = null, bool secretReference = true)
    {
        var settings = new Dictionary<string, string>
        {
            ["tenant_id"] = FakeAzureCloud.TenantId,
            ["subscription_id"] = FakeAzureCloud.SubscriptionId,
            ["client_id"] = "22222222-3333-4444-8555-666666666666",
            ["principal_object_id"] = "bbbbbbbb-cccc-4ddd-8eee-ffffffffffff",
            ["allowed_roles"] = "Reader,2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
            ["role_ids"] = "Reader=acdd72a7-3385-48ef-bd42-f606fba81ae7",
        };
        change?.Invoke(settings);
        var secrets = secretReference
            ? new Dictionary<string, SecretReference> { ["client_secret"] = new(SecretSource.Environment, "AGENT_SECRET") }
            : new Dictionary<string, SecretReference>();
        return new TargetSettings("azure-dev", "azure", settings, secrets);
    }

    private static IReadOnlyList<TargetSettingProblem> Validate(TargetSettings target) => AzureTarget.Validate(target);

    [Fact]
    public void ValidateTarget_CompleteSettings_NoProblems() => Assert.Empty(Validate(Target()));

    [Fact]
    public void ValidateTarget_NothingSet_OneProblemPerMissingKey()
    {
        var problems = Validate(new TargetSettings("empty", "azure", new Dictionary<string, string>(), new Dictionary<string, SecretReference>()));

        Assert.Equal(
            ["allowed_roles", "client_id", "client_secret", "principal_object_id", "subscription_id", "tenant_id"],
            problems.Select(p => p.Key).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("subscription_id", "not-a-guid")]
    [InlineData("client_id", "agent")]
    [InlineData("principal_object_id", "1234")]
    [InlineData("tenant_id", "contoso.onmicrosoft.com/../x")]
    [InlineData("mode", "owner")]
    [InlineData("arm_endpoint", "http://127.0.0.1:8080/")]
    [InlineData("login_endpoint", "not a url")]
    [InlineData("graph_endpoint", "https://graph.example/?x=1")]
    [InlineData("allowed_roles", "Storage Blob Data Owner")]
    [InlineData("role_ids", "Reader:acdd72a7-3385-48ef-bd42-f606fba81ae7")]
    [InlineData("application_object_id", "bbbbbbbb-0000-4000-8000-000000000002")]
    [InlineData("subscriptionid", "0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d")]
    public void ValidateTarget_BadValue_ReportsThatKey(string key, string value)
    {
        var problems = Validate(Target(s => s[key] = value));

        Assert.Equal(key, Assert.Single(problems).Key);
    }

    [Theory]
    [InlineData("8e3af657-a8ff-443c-a75c-2fe8c4bcb635", "Owner")]
    [InlineData("User Access Administrator", "User Access Administrator")]
    [InlineData("f58310d9-a9f6-439a-9e8d-f62e7b41a168", "Role Based Access Control Administrator")]
    public void ValidateTarget_RoleThatWritesRoleAssignments_Refused(string allowed, string name)
    {
        var problems = Validate(Target(s =>
        {
            s["allowed_roles"] = "Reader," + allowed;
            s["role_ids"] += ",User Access Administrator=18d7d88d-d35e-4fb5-a5c3-7773c20a72d9";
        }));

        var problem = Assert.Single(problems);
        Assert.Equal("allowed_roles", problem.Key);
        Assert.Contains(name, problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidateTarget_InlineClientSecret_Refused()
    {
        var problems = Validate(Target(s => s["client_secret"] = "plain-text-secret"));

        var problem = Assert.Single(problems);
        Assert.Equal("client_secret", problem.Key);
        Assert.DoesNotContain("plain-text-secret", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidateTarget_TwoAgentCredentials_Refused() =>
        Assert.Single(Validate(Target(s => s["workload_identity_token_file"] = "/var/run/secrets/azure/tokens/azure-identity-token")));

    [Fact]
    public void ValidateTarget_ClientSecretModeWithoutAgentCredential_Accepted() =>
        Assert.Empty(Validate(Target(s => s["mode"] = "client_secret", secretReference: false)));

    [Fact]
    public void ValidateTarget_TokenModeWithoutAgentCredential_Refused() =>
        Assert.Equal("client_secret", Assert.Single(Validate(Target(secretReference: false))).Key);
}
