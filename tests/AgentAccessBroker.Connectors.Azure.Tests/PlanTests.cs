using AgentAccessBroker.Connectors.Azure.Tests.Fakes;
using AgentAccessBroker.Connectors.Azure.Tests.Support;
using AgentAccessBroker.Credentials;

namespace AgentAccessBroker.Connectors.Azure.Tests;

public sealed class PlanTests : RigTestBase
{
    [Fact]
    public void Plan_SameLeaseScopeAndRole_DerivesSameAssignmentName()
    {
        var target = Rig.Target();
        var request = AzureRig.Request(target, [Group], ["Reader"]);

        var first = Rig.CreateProvider().Plan(request);
        var again = Rig.CreateProvider().Plan(request with { Resources = [Group.ToUpperInvariant().Replace("SUBSCRIPTIONS", "subscriptions", StringComparison.Ordinal)] });
        var otherLease = Rig.CreateProvider().Plan(request with { LeaseId = Domain.Ids.New("lease") });

        Assert.Equal(Name(first), Name(again));
        Assert.NotEqual(Name(first), Name(otherLease));
        Assert.True(Guid.TryParse(Name(first), out _));
    }

    [Theory]
    [InlineData("/subscriptions/0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d")]
    [InlineData("/subscriptions/99999999-4f50-4a6b-8c7d-9e0f1a2b3c4d/resourceGroups/rg-agent-work")]
    [InlineData("/subscriptions/0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d/resourceGroups/rg-agent-work/")]
    [InlineData("/subscriptions/0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d/resourceGroups/../resourceGroups/x")]
    [InlineData("/subscriptions/0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d/resourceGroups/rg?api-version=1")]
    [InlineData("/subscriptions/0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts")]
    [InlineData("/subscriptions/0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d/resourceGroups/rg/providers/Microsoft.Authorization/roleAssignments/x")]
    [InlineData("/providers/Microsoft.Management/managementGroups/root")]
    [InlineData("rg-agent-work")]
    public void Plan_ScopeNotAResourceGroupOrResourceOfTheSubscription_Refused(string scope)
    {
        var request = AzureRig.Request(Rig.Target(), [scope], ["Reader"]);

        var error = Assert.Throws<CredentialRequestException>(() => Rig.CreateProvider().Plan(request));

        Assert.Equal("invalid_scope", error.Code);
    }

    [Fact]
    public void Plan_RoleNotInAllowedRoles_RefusedBeforeAnyCall()
    {
        var request = AzureRig.Request(Rig.Target(), [Group], ["Contributor"]);

        var error = Assert.Throws<CredentialRequestException>(() => Rig.CreateProvider().Plan(request));

        Assert.Equal("role_not_allowed", error.Code);
        Assert.Contains("Reader", error.Message, StringComparison.Ordinal);
        Assert.Empty(Cloud.Requests);
    }

    [Fact]
    public void Plan_TooManyScopeRolePairs_Refused()
    {
        var scopes = Enumerable.Range(0, 11).Select(i => FakeAzureCloud.ResourceGroupScope($"rg-{i}")).ToList();
        var request = AzureRig.Request(Rig.Target(), scopes, ["Reader", "Storage Blob Data Reader"]);

        Assert.Equal("too_many_grants", Assert.Throws<CredentialRequestException>(() => Rig.CreateProvider().Plan(request)).Code);
    }

    [Fact]
    public async Task Mint_PlanOfAnotherRequest_RefusedBeforeAnyCall()
    {
        var provider = Rig.CreateProvider();
        var request = AzureRig.Request(Rig.Target(), [Group], ["Reader"]);
        var plan = provider.Plan(request with { Actions = ["Storage Blob Data Reader"] });

        await Assert.ThrowsAsync<InvalidOperationException>(() => provider.MintAsync(request, plan, CancellationToken.None));

        Assert.Empty(Cloud.Requests);
    }

    private static string Name(RevocationData plan) =>
        System.Text.Json.JsonDocument.Parse(plan.Values["grants"]).RootElement[0].GetProperty("name").GetString()!;
}
