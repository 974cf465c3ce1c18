using AgentAccessBroker.Connectors.Azure.Tests.Fakes;
using AgentAccessBroker.Connectors.Azure.Tests.Support;
using AgentAccessBroker.Credentials;
using Azure;

namespace AgentAccessBroker.Connectors.Azure.Tests;

public sealed class ResilienceTests : RigTestBase
{
    [Fact]
    public async Task Mint_ThrottledWithRetryAfter_WaitsExactlyWhatArmAsked()
    {
        Cloud.AddFault(new FakeFault { Method = "PUT", PathContains = "/roleAssignments/", Status = 429, Code = "TooManyRequests", RetryAfter = "7", Times = 2 });
        var provider = Rig.CreateProvider();

        await MintAsync(provider, Rig.Target(), [Group], ["Reader"]);

        Assert.Equal([TimeSpan.FromSeconds(7), TimeSpan.FromSeconds(7)], Rig.Time.Waits);
        Assert.Equal([429, 429, 201], Calls("PUT", "/roleAssignments/").Select(r => r.Status));
        Assert.Single(Cloud.Assignments);
    }

    [Fact]
    public async Task Mint_RetryAfterLongerThanMaximum_FailsWithoutWaiting()
    {
        Cloud.AddFault(new FakeFault { Method = "PUT", PathContains = "/roleAssignments/", Status = 429, Code = "TooManyRequests", RetryAfter = "3600", Times = 100 });
        var provider = Rig.CreateProvider();

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => MintAsync(provider, Rig.Target(), [Group], ["Reader"]));

        Assert.Equal(429, error.Status);
        Assert.Empty(Rig.Time.Waits);
        Assert.Empty(Cloud.Assignments);
    }

    [Fact]
    public async Task Mint_ServerErrors_RetriedWithBoundedBackoff()
    {
        Cloud.AddFault(new FakeFault { Method = "PUT", PathContains = "/roleAssignments/", Status = 503, Times = 3 });
        var provider = Rig.CreateProvider(o => o.RetryDelay = TimeSpan.FromSeconds(2));

        await MintAsync(provider, Rig.Target(), [Group], ["Reader"]);

        Assert.Equal([503, 503, 503, 201], Calls("PUT", "/roleAssignments/").Select(r => r.Status));
        Assert.Equal(3, Rig.Time.Waits.Count);
        // Exponential back-off with decorrelated jitter: every wait is real and none exceeds MaxRetryDelay.
        Assert.All(Rig.Time.Waits, wait => Assert.InRange(wait, TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task Mint_PrincipalNotFoundWhileReplicating_RetriedUntilFound()
    {
        Cloud.PrincipalNotFoundResponses = 3;
        var provider = Rig.CreateProvider();

        var (_, result) = await MintAsync(provider, Rig.Target(), [Group], ["Reader"]);

        Assert.Equal([400, 400, 400, 201], Calls("PUT", "/roleAssignments/").Select(r => r.Status));
        Assert.Equal(3, Rig.Time.Waits.Count);
        Assert.True(await Rig.WorksAsync(result.Credential, Group));
    }

    [Fact]
    public async Task Mint_PrincipalNeverFound_ThrowsCredentialRequestExceptionAfterRetries()
    {
        Cloud.PrincipalNotFoundResponses = 1000;
        var provider = Rig.CreateProvider();

        var error = await Assert.ThrowsAsync<CredentialRequestException>(() => MintAsync(provider, Rig.Target(), [Group], ["Reader"]));

        Assert.Equal("azure_principal_not_found", error.Code);
        Assert.Equal(5, Calls("PUT", "/roleAssignments/").Count);
    }

    [Fact]
    public async Task Mint_PersistentServerError_ThrowsInfrastructureErrorWithSafeText()
    {
        Cloud.AddFault(new FakeFault { Method = "PUT", PathContains = "/roleAssignments/", Status = 500, Code = "InternalServerError", Times = 100 });
        var provider = Rig.CreateProvider();

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => MintAsync(provider, Rig.Target(), [Group], ["Reader"]));

        Assert.Equal(500, error.Status);
        Assert.Equal(5, Calls("PUT", "/roleAssignments/").Count);
        Assert.Contains("HTTP 500 (InternalServerError)", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("fake-at-", error.ToString(), StringComparison.Ordinal);
        Assert.Empty(Cloud.Assignments);
    }

    [Fact]
    public async Task Mint_RoleOutsideBrokerCondition_FailsFastAsCallerError()
    {
        Cloud.BrokerAssignableRoles.Remove(FakeAzureCloud.StorageBlobDataReader);
        var provider = Rig.CreateProvider();

        var error = await Assert.ThrowsAsync<CredentialRequestException>(() => MintAsync(provider, Rig.Target(), [Group], ["Storage Blob Data Reader"]));

        Assert.Equal("azure_authorization_failed", error.Code);
        Assert.Single(Calls("PUT", "/roleAssignments/"));
        Assert.Empty(Rig.Time.Waits);
    }

    [Fact]
    public async Task Verify_ThrottledRead_HonoursHttpDateRetryAfter()
    {
        var provider = Rig.CreateProvider();
        var (request, result) = await MintAsync(provider, Rig.Target(), [Group], ["Reader"]);
        var retryAt = Rig.Time.GetUtcNow().AddSeconds(12).ToString("r");
        Cloud.AddFault(new FakeFault { Method = "GET", PathContains = "/roleAssignments/", Status = 429, RetryAfter = retryAt });

        var verification = await provider.VerifyAsync(AzureRig.Revocation(request, result.RevocationData), CancellationToken.None);

        Assert.False(verification.Revoked);
        Assert.Equal(TimeSpan.FromSeconds(12), Assert.Single(Rig.Time.Waits));
    }
}
