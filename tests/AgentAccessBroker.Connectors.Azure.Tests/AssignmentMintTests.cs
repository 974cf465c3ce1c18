using System.Text.Json;
using AgentAccessBroker.Connectors.Azure.Tests.Fakes;
using AgentAccessBroker.Connectors.Azure.Tests.Support;
using AgentAccessBroker.Credentials;
using Azure;

namespace AgentAccessBroker.Connectors.Azure.Tests;

public sealed class AssignmentMintTests : RigTestBase
{
    [Fact]
    public async Task Mint_OneScopeOneRole_CreatesExactlyOneAssignmentAtThatScope()
    {
        var provider = Rig.CreateProvider();
        var request = AzureRig.Request(Rig.Target(), [Group], ["Reader"]);
        var plan = provider.Plan(request);

        var result = await provider.MintAsync(request, plan, CancellationToken.None);

        var assignment = Assert.Single(Cloud.Assignments);
        Assert.Equal(Group, assignment.Scope);
        Assert.Equal(FakeAzureCloud.Reader, assignment.RoleId);
        Assert.Equal(Cloud.Agent.ObjectId, assignment.PrincipalId);
        Assert.Equal("ServicePrincipal", assignment.PrincipalType);
        Assert.Contains(request.LeaseId, assignment.Description, StringComparison.Ordinal);
        Assert.Contains(request.TaskId, assignment.Description, StringComparison.Ordinal);
        Assert.Contains(assignment.Name, plan.Values["grants"], StringComparison.Ordinal);
        Assert.True(await Rig.WorksAsync(result.Credential, Group));
        Assert.False(await Rig.WorksAsync(result.Credential, FakeAzureCloud.ResourceGroupScope(FakeAzureCloud.OtherResourceGroup)));
    }

    [Fact]
    public async Task Mint_RoleAssignmentPut_UsesPlainArmBodyWithBearerToken()
    {
        var provider = Rig.CreateProvider();

        await MintAsync(provider, Rig.Target(), [Group], ["Reader"]);

        var put = Assert.Single(Calls("PUT", "/roleAssignments/"));
        Assert.Contains("api-version=2022-04-01", put.PathAndQuery, StringComparison.Ordinal);
        Assert.StartsWith("Bearer ", put.Authorization, StringComparison.Ordinal);
        using var body = JsonDocument.Parse(put.Body);
        Assert.Equal(["properties"], body.RootElement.EnumerateObject().Select(p => p.Name));
        var properties = body.RootElement.GetProperty("properties");
        Assert.Equal($"/subscriptions/{FakeAzureCloud.SubscriptionId}/providers/Microsoft.Authorization/roleDefinitions/{FakeAzureCloud.Reader}", properties.GetProperty("roleDefinitionId").GetString());
        Assert.Equal("ServicePrincipal", properties.GetProperty("principalType").GetString());
    }

    [Fact]
    public async Task Mint_TokenMode_ReturnsTokenInAzCliShapeWithHonestNote()
    {
        var provider = Rig.CreateProvider();

        var (request, result) = await MintAsync(provider, Rig.Target(), [Group], ["reader"]);

        var token = result.Credential.EnvironmentVariables["AZURE_ACCESS_TOKEN"];
        Assert.Equal(FakeAzureCloud.TenantId, result.Credential.EnvironmentVariables["AZURE_TENANT_ID"]);
        Assert.Equal(Cloud.Agent.AppId, result.Credential.EnvironmentVariables["AZURE_CLIENT_ID"]);
        using var json = JsonDocument.Parse(result.Credential.Forms["access_token"]);
        Assert.Equal(token, json.RootElement.GetProperty("accessToken").GetString());
        Assert.Equal("Bearer", json.RootElement.GetProperty("tokenType").GetString());
        Assert.Equal(FakeAzureCloud.SubscriptionId, json.RootElement.GetProperty("subscription").GetString());
        Assert.Equal(FakeAzureCloud.TenantId, json.RootElement.GetProperty("tenant").GetString());
        Assert.Equal(result.ExpiresAt.ToUnixTimeSeconds(), json.RootElement.GetProperty("expires_on").GetInt64());
        Assert.InRange(result.ExpiresAt, request.Now.AddMinutes(55), request.Now.AddMinutes(61));
        Assert.Equal(Revocability.Immediate, result.Revocability);
        Assert.Contains("60-90 minutes", result.RevocationNote, StringComparison.Ordinal);
        Assert.Contains("caching", result.RevocationNote, StringComparison.Ordinal);
        Assert.DoesNotContain(token, result.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mint_ResourceScope_GrantsThatResourceOnly()
    {
        var provider = Rig.CreateProvider();
        var account = FakeAzureCloud.StorageAccountScope();

        var (_, result) = await MintAsync(provider, Rig.Target(), [account], ["Storage Blob Data Reader"]);

        Assert.Equal(account, Assert.Single(Cloud.Assignments).Scope);
        Assert.True(await Rig.WorksAsync(result.Credential, account));
        Assert.False(await Rig.WorksAsync(result.Credential, FakeAzureCloud.StorageAccountScope("stsibling")));
        Assert.False(await Rig.WorksAsync(result.Credential, Group));
    }

    [Fact]
    public async Task Mint_TwoScopesTwoRoles_CreatesFourDistinctAssignmentsAndRevokesAll()
    {
        var provider = Rig.CreateProvider();
        var other = FakeAzureCloud.ResourceGroupScope(FakeAzureCloud.OtherResourceGroup);

        var (request, result) = await MintAsync(provider, Rig.Target(), [Group, other], ["Reader", FakeAzureCloud.StorageBlobDataReader.ToString()]);

        Assert.Equal(4, Cloud.Assignments.Select(a => a.Name).Distinct().Count());
        await provider.RevokeAsync(AzureRig.Revocation(request, result.RevocationData), CancellationToken.None);
        Assert.Empty(Cloud.Assignments);
    }

    [Fact]
    public async Task Mint_SameAssignmentNameAlreadyCreated_TreatsConflictAsDone()
    {
        // The first PUT is carried out but its response is lost as a 409, as when a retried PUT meets its own result.
        Cloud.AddFault(new FakeFault { Method = "PUT", PathContains = "/roleAssignments/", Status = 409, Code = "RoleAssignmentExists", AfterHandling = true });
        var provider = Rig.CreateProvider();

        var (_, result) = await MintAsync(provider, Rig.Target(), [Group], ["Reader"]);

        Assert.Single(Cloud.Assignments);
        Assert.True(await Rig.WorksAsync(result.Credential, Group));
    }

    [Fact]
    public async Task Mint_PrincipalAlreadyHoldsRoleThroughAnotherAssignment_RefusesAndKeepsTheOther()
    {
        var standing = Cloud.AddStandingAssignment(Group, FakeAzureCloud.Reader, Cloud.Agent.ObjectId);
        var provider = Rig.CreateProvider();

        var error = await Assert.ThrowsAsync<CredentialRequestException>(() => MintAsync(provider, Rig.Target(), [Group], ["Reader"]));

        Assert.Equal("role_assignment_exists", error.Code);
        Assert.Equal(standing.Name, Assert.Single(Cloud.Assignments).Name);
    }

    [Fact]
    public async Task Mint_AssignmentReplicatesSlowly_WaitsUntilVisibleBeforeHandingOver()
    {
        Cloud.VisibilityLag = 3;
        var provider = Rig.CreateProvider();

        var (_, result) = await MintAsync(provider, Rig.Target(), [Group], ["Reader"]);

        Assert.Equal(4, Calls("GET", "/roleAssignments/").Count);
        Assert.Equal(3, Rig.Time.Waits.Count);
        Assert.True(await Rig.WorksAsync(result.Credential, Group));
    }

    [Fact]
    public async Task Mint_AssignmentNeverVisible_FailsAndDeletesIt()
    {
        Cloud.VisibilityLag = 1000;
        var provider = Rig.CreateProvider(o => o.VisibilityChecks = 4);

        await Assert.ThrowsAsync<TimeoutException>(() => MintAsync(provider, Rig.Target(), [Group], ["Reader"]));

        Assert.Equal(4, Calls("GET", "/roleAssignments/").Count);
        Assert.Empty(Cloud.Assignments);
        Assert.Single(Calls("DELETE", "/roleAssignments/"));
    }

    [Fact]
    public async Task Mint_AgentSecretRejected_FailsWithSafeMessageAndUndoesAssignment()
    {
        var provider = Rig.CreateProvider();
        var target = Rig.Target(change: s => s["client_id"] = Cloud.Broker.AppId);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => MintAsync(provider, target, [Group], ["Reader"]));

        Assert.Contains("did not issue an ARM token", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Cloud.Agent.StandingSecret!, error.ToString(), StringComparison.Ordinal);
        Assert.Empty(Cloud.Assignments);
    }

    [Fact]
    public async Task Revoke_PlanOnlyAfterCrashBetweenPutAndCommit_DeletesAssignment()
    {
        var request = AzureRig.Request(Rig.Target(), [Group], ["Reader"]);
        var plan = Rig.CreateProvider().Plan(request);
        var minted = await Rig.CreateProvider().MintAsync(request, plan, CancellationToken.None);
        // The process dies here: the lease row holds only the plan, the minted result is lost.

        var stored = new RevocationData(JsonSerializer.Deserialize<Dictionary<string, string>>(JsonSerializer.Serialize(plan.Values))!);
        await Rig.CreateProvider().RevokeAsync(AzureRig.Revocation(request, stored), CancellationToken.None);

        Assert.Empty(Cloud.Assignments);
        Assert.False(await Rig.WorksAsync(minted.Credential, Group));
        var verification = await Rig.CreateProvider().VerifyAsync(AzureRig.Revocation(request, stored), CancellationToken.None);
        Assert.True(verification.Revoked, verification.Evidence);
        Assert.Contains("404", verification.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Revoke_Twice_SecondDeleteSeesNoContentAndSucceeds()
    {
        var provider = Rig.CreateProvider();
        var (request, result) = await MintAsync(provider, Rig.Target(), [Group], ["Reader"]);
        var revocation = AzureRig.Revocation(request, result.RevocationData);

        await provider.RevokeAsync(revocation, CancellationToken.None);
        await provider.RevokeAsync(revocation, CancellationToken.None);

        Assert.Equal([200, 204], Calls("DELETE", "/roleAssignments/").Select(r => r.Status));
        Assert.True((await provider.VerifyAsync(revocation, CancellationToken.None)).Revoked);
    }

    [Fact]
    public async Task Revoke_ServerErrorsThenSuccess_RetriesUntilDeleted()
    {
        var provider = Rig.CreateProvider();
        var (request, result) = await MintAsync(provider, Rig.Target(), [Group], ["Reader"]);
        Cloud.AddFault(new FakeFault { Method = "DELETE", PathContains = "/roleAssignments/", Status = 502, Times = 2 });

        await provider.RevokeAsync(AzureRig.Revocation(request, result.RevocationData), CancellationToken.None);

        Assert.Empty(Cloud.Assignments);
        Assert.Equal([502, 502, 200], Calls("DELETE", "/roleAssignments/").Select(r => r.Status));
    }

    [Fact]
    public async Task Revoke_PersistentServerError_ThrowsSoTheLeaseShowsIt()
    {
        var provider = Rig.CreateProvider();
        var (request, result) = await MintAsync(provider, Rig.Target(), [Group], ["Reader"]);
        Cloud.AddFault(new FakeFault { Method = "DELETE", PathContains = "/roleAssignments/", Status = 500, Code = "InternalServerError", Times = 100 });

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => provider.RevokeAsync(AzureRig.Revocation(request, result.RevocationData), CancellationToken.None));

        Assert.Equal(500, error.Status);
        Assert.Contains("delete role assignment", error.Message, StringComparison.Ordinal);
        Assert.Single(Cloud.Assignments);
        Assert.False((await provider.VerifyAsync(AzureRig.Revocation(request, result.RevocationData), CancellationToken.None)).Revoked);
    }
}
