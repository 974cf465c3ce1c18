using System.Text.Json;
using AgentAccessBroker.Connectors.Azure.Tests.Support;
using AgentAccessBroker.Credentials;

namespace AgentAccessBroker.Connectors.Azure.Tests;

public sealed class ClientSecretModeTests : RigTestBase
{
    [Fact]
    public async Task Mint_ClientSecretMode_AddsSecretEndingAtLeaseEndAndKeepsItOutOfRevocationData()
    {
        var provider = Rig.CreateProvider();

        var (request, result) = await MintAsync(provider, Rig.Target("client_secret"), [Group], ["Reader"]);

        var password = Assert.Single(Cloud.Agent.Passwords);
        Assert.Equal(request.NotAfter.ToUnixTimeSeconds(), password.EndDateTime.ToUnixTimeSeconds());
        Assert.Contains(request.LeaseId, password.DisplayName, StringComparison.Ordinal);
        Assert.Equal(password.SecretText, result.Credential.EnvironmentVariables["AZURE_CLIENT_SECRET"]);
        Assert.Equal(password.KeyId, result.RevocationData.Values["password_key_id"]);
        Assert.DoesNotContain(password.SecretText, JsonSerializer.Serialize(result.RevocationData.Values), StringComparison.Ordinal);
        Assert.Equal(password.EndDateTime.ToUnixTimeSeconds(), result.ExpiresAt.ToUnixTimeSeconds());
        using var form = JsonDocument.Parse(result.Credential.Forms["service_principal"]);
        Assert.Equal(Cloud.Agent.AppId, form.RootElement.GetProperty("appId").GetString());
        Assert.Single(Cloud.Assignments);
        Assert.True(await Rig.WorksAsync(result.Credential, Group));
        Assert.Contains(Calls("POST", "/addPassword"), r => r.PathAndQuery.Contains(Cloud.Agent.ApplicationObjectId, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Mint_ClientSecretModeWithoutApplicationObjectId_AddressesApplicationByAppId()
    {
        var provider = Rig.CreateProvider();
        var target = Rig.Target("client_secret", s => s.Remove("application_object_id"));

        var (_, result) = await MintAsync(provider, target, [Group], ["Reader"]);

        Assert.Contains(Calls("POST", "/addPassword"), r => r.PathAndQuery.Contains($"applications(appId='{Cloud.Agent.AppId}')", StringComparison.Ordinal));
        Assert.True(await Rig.WorksAsync(result.Credential, Group));
    }

    [Fact]
    public async Task Revoke_PlanOnlyAfterCrashAfterAddPassword_RemovesSecretByDisplayName()
    {
        var request = AzureRig.Request(Rig.Target("client_secret"), [Group], ["Reader"]);
        var plan = Rig.CreateProvider().Plan(request);
        var minted = await Rig.CreateProvider().MintAsync(request, plan, CancellationToken.None);
        Assert.Null(plan.Get("password_key_id"));

        await Rig.CreateProvider().RevokeAsync(AzureRig.Revocation(request, plan), CancellationToken.None);

        Assert.Empty(Cloud.Agent.Passwords);
        Assert.Empty(Cloud.Assignments);
        Assert.Null(await Cloud.SignInAsync(Cloud.Agent.AppId, minted.Credential.EnvironmentVariables["AZURE_CLIENT_SECRET"]));
    }

    [Fact]
    public async Task Revoke_ClientSecretMode_LeavesOtherSecretsOfTheApplication()
    {
        var provider = Rig.CreateProvider();
        var (first, firstResult) = await MintAsync(provider, Rig.Target("client_secret"), [Group], ["Reader"]);
        var (_, second) = await MintAsync(provider, Rig.Target("client_secret"), [FakeAzureCloudScopes.Other], ["Reader"]);

        await provider.RevokeAsync(AzureRig.Revocation(first, firstResult.RevocationData), CancellationToken.None);

        var left = Assert.Single(Cloud.Agent.Passwords);
        Assert.Equal(second.RevocationData.Values["password_key_id"], left.KeyId);
        Assert.True(await Rig.WorksAsync(second.Credential, FakeAzureCloudScopes.Other));
    }

    [Fact]
    public async Task Mint_AddPasswordFails_UndoesRoleAssignment()
    {
        Cloud.AddFault(new Fakes.FakeFault { Method = "POST", PathContains = "/addPassword", Status = 403, Code = "Authorization_RequestDenied" });
        var provider = Rig.CreateProvider();

        var error = await Assert.ThrowsAsync<CredentialRequestException>(() => MintAsync(provider, Rig.Target("client_secret"), [Group], ["Reader"]));

        Assert.Equal("azure_authorization_request_denied", error.Code);
        Assert.Contains("add a secret to applications/", error.Message, StringComparison.Ordinal);

        // The SDK's request went through the connector's pipeline, which logged the refusal under the operation's name.
        Assert.Contains(Rig.LogLines, line => line.Contains("add a secret to applications/", StringComparison.Ordinal) && line.Contains("403", StringComparison.Ordinal));
        Assert.Empty(Cloud.Assignments);
        Assert.Empty(Cloud.Agent.Passwords);
    }

    private static class FakeAzureCloudScopes
    {
        public static readonly string Other = Fakes.FakeAzureCloud.ResourceGroupScope(Fakes.FakeAzureCloud.OtherResourceGroup);
    }
}
