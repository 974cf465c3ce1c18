using System.Collections.Concurrent;
using System.Diagnostics.Tracing;
using System.Text.Json;
using AgentAccessBroker.Connectors.Azure.Tests.Fakes;
using AgentAccessBroker.Connectors.Azure.Tests.Support;
using Azure.Core.Diagnostics;

namespace AgentAccessBroker.Connectors.Azure.Tests;

public sealed class SecretLeakTests : RigTestBase
{
    [Fact]
    public async Task MintRetryRevokeAndFailures_NoSecretOrTokenInLogsEventsOrErrors()
    {
        var sdkEvents = new ConcurrentQueue<string>();
        using var listener = new AzureEventSourceListener((e, message) => sdkEvents.Enqueue(message), EventLevel.Verbose);
        var errors = new List<string>();
        Cloud.AddFault(new FakeFault { Method = "PUT", PathContains = "/roleAssignments/", Status = 429, RetryAfter = "1" });
        Cloud.AddFault(new FakeFault { Method = "POST", PathContains = "/addPassword", Status = 503 });
        var provider = Rig.CreateProvider();

        var (tokenRequest, tokenLease) = await MintAsync(provider, Rig.Target(), [Group], ["Reader"]);
        var (secretRequest, secretLease) = await MintAsync(provider, Rig.Target("client_secret"), [FakeAzureCloud.ResourceGroupScope(FakeAzureCloud.OtherResourceGroup)], ["Reader"]);
        await provider.RevokeAsync(AzureRig.Revocation(tokenRequest, tokenLease.RevocationData), CancellationToken.None);
        await provider.RevokeAsync(AzureRig.Revocation(secretRequest, secretLease.RevocationData), CancellationToken.None);
        Cloud.AddFault(new FakeFault { Method = "PUT", PathContains = "/roleAssignments/", Status = 500, Times = 100 });
        errors.Add((await Assert.ThrowsAnyAsync<Exception>(() => MintAsync(provider, Rig.Target(), [Group], ["Reader"]))).ToString());
        errors.Add((await Assert.ThrowsAnyAsync<Exception>(() => MintAsync(provider, Rig.Target(change: s => s["client_id"] = Cloud.Broker.AppId), [Group], ["Reader"]))).ToString());

        var secrets = tokenLease.Credential.SecretValues().Where(IsSecretLooking)
            .Concat(secretLease.Credential.SecretValues().Where(IsSecretLooking))
            .Concat(Cloud.IssuedTokens)
            .Concat([Cloud.Agent.StandingSecret!, Cloud.Broker.StandingSecret!])
            .ToList();
        Assert.Contains(secrets, s => s.StartsWith("fake-at-", StringComparison.Ordinal));
        var written = string.Join("\n", Rig.LogLines.Concat(sdkEvents).Concat(errors)
            .Append(JsonSerializer.Serialize(tokenLease.RevocationData.Values))
            .Append(JsonSerializer.Serialize(secretLease.RevocationData.Values))
            .Append(tokenLease.ToString())
            .Append(secretLease.ToString()));
        Assert.NotEmpty(Rig.LogLines);
        Assert.NotEmpty(sdkEvents);
        Assert.All(secrets, secret => Assert.DoesNotContain(secret, written, StringComparison.Ordinal));
    }

    /// <summary>Tenant and client ids are in the credential too, but they are identifiers, not secrets.</summary>
    private static bool IsSecretLooking(string value) => !Guid.TryParse(value, out _);
}
