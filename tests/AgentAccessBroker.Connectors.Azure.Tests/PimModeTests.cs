using System.Text.Json;
using AgentAccessBroker.Connectors.Azure.Tests.Fakes;
using AgentAccessBroker.Connectors.Azure.Tests.Support;
using AgentAccessBroker.Credentials;

namespace AgentAccessBroker.Connectors.Azure.Tests;

public sealed class PimModeTests : RigTestBase
{
    [Fact]
    public async Task Mint_PimMode_SendsAdminAssignThatExpiresAtLeaseEnd()
    {
        var provider = Rig.CreateProvider();

        var (request, result) = await MintAsync(provider, Rig.Target("pim"), [Group], ["Reader"]);

        var put = Assert.Single(Calls("PUT", "/roleAssignmentScheduleRequests/"));
        Assert.Contains("api-version=2020-10-01", put.PathAndQuery, StringComparison.Ordinal);
        using var body = JsonDocument.Parse(put.Body);
        var properties = body.RootElement.GetProperty("properties");
        Assert.Equal("AdminAssign", properties.GetProperty("requestType").GetString());
        Assert.Equal(Cloud.Agent.ObjectId, properties.GetProperty("principalId").GetString());
        var expiration = properties.GetProperty("scheduleInfo").GetProperty("expiration");
        Assert.Equal("AfterDateTime", expiration.GetProperty("type").GetString());
        Assert.Equal(request.NotAfter.ToUnixTimeSeconds(), expiration.GetProperty("endDateTime").GetDateTimeOffset().ToUnixTimeSeconds());
        Assert.Equal(request.LeaseId, properties.GetProperty("ticketInfo").GetProperty("ticketNumber").GetString());
        Assert.Equal(Group, Assert.Single(Cloud.Assignments).Scope);
        Assert.True(await Rig.WorksAsync(result.Credential, Group));
    }

    [Fact]
    public async Task Mint_PimAssignmentReplicatesSlowly_WaitsUntilListed()
    {
        Cloud.VisibilityLag = 2;
        var provider = Rig.CreateProvider();

        var (_, result) = await MintAsync(provider, Rig.Target("pim"), [Group], ["Reader"]);

        Assert.Equal(3, Calls("GET", "/roleAssignments?").Count);
        Assert.Equal(2, Rig.Time.Waits.Count);
        Assert.True(await Rig.WorksAsync(result.Credential, Group));
    }

    [Fact]
    public async Task Revoke_PimMode_SendsAdminRemoveOnceAndVerifies()
    {
        var provider = Rig.CreateProvider();
        var (request, result) = await MintAsync(provider, Rig.Target("pim"), [Group], ["Reader"]);
        var revocation = AzureRig.Revocation(request, result.RevocationData);

        await provider.RevokeAsync(revocation, CancellationToken.None);
        await provider.RevokeAsync(revocation, CancellationToken.None);

        Assert.Equal(["AdminAssign", "AdminRemove"], Cloud.PimRequests.OrderBy(r => r.RequestType).Select(r => r.RequestType));
        Assert.Empty(Cloud.Assignments);
        Assert.True((await provider.VerifyAsync(revocation, CancellationToken.None)).Revoked);
    }

    [Fact]
    public async Task Revoke_OldPimLease_LeavesLaterLeaseOfSameRoleAlone()
    {
        var provider = Rig.CreateProvider();
        var (first, firstResult) = await MintAsync(provider, Rig.Target("pim"), [Group], ["Reader"]);
        var firstRevocation = AzureRig.Revocation(first, firstResult.RevocationData);
        await provider.RevokeAsync(firstRevocation, CancellationToken.None);
        var (_, second) = await MintAsync(provider, Rig.Target("pim"), [Group], ["Reader"]);

        // A late duplicate revocation of the first lease (a retried job) must not end the second lease's access.
        await provider.RevokeAsync(firstRevocation, CancellationToken.None);

        Assert.Single(Cloud.Assignments);
        Assert.True(await Rig.WorksAsync(second.Credential, Group));
    }

    [Fact]
    public async Task Mint_PimPolicyRequiresApproval_WithdrawsRequestAndRefuses()
    {
        Cloud.PimRequiresApproval = true;
        var provider = Rig.CreateProvider();

        var error = await Assert.ThrowsAsync<CredentialRequestException>(() => MintAsync(provider, Rig.Target("pim"), [Group], ["Reader"]));

        Assert.Equal("pim_approval_required", error.Code);
        Assert.Equal("Canceled", Assert.Single(Cloud.PimRequests).Status);
        Assert.Empty(Cloud.Assignments);
    }

    [Fact]
    public async Task Mint_PimPrincipalAlreadyHoldsRole_RefusesWithoutRemovingTheStandingAssignment()
    {
        var standing = Cloud.AddStandingAssignment(Group, FakeAzureCloud.Reader, Cloud.Agent.ObjectId);
        var provider = Rig.CreateProvider();

        var error = await Assert.ThrowsAsync<CredentialRequestException>(() => MintAsync(provider, Rig.Target("pim"), [Group], ["Reader"]));

        Assert.Equal("role_assignment_exists", error.Code);
        Assert.Equal(standing.Name, Assert.Single(Cloud.Assignments).Name);
    }

    [Fact]
    public async Task Mint_PimAssignmentListSpansPages_FollowsNextLink()
    {
        Cloud.ListPageSize = 1;
        Cloud.AddStandingAssignment($"/subscriptions/{FakeAzureCloud.SubscriptionId}", FakeAzureCloud.Contributor, Cloud.Agent.ObjectId);
        Cloud.AddStandingAssignment(Group + "/providers/Microsoft.Storage/storageAccounts/stzzz", FakeAzureCloud.StorageBlobDataReader, Cloud.Agent.ObjectId);
        var provider = Rig.CreateProvider();

        var (request, result) = await MintAsync(provider, Rig.Target("pim"), [Group], ["Reader"]);

        Assert.True(Calls("GET", "$skipToken=").Count >= 2);
        Assert.False((await provider.VerifyAsync(AzureRig.Revocation(request, result.RevocationData), CancellationToken.None)).Revoked);
    }
}
