using System.Diagnostics;
using AgentAccessBroker.Brokering;
using AgentAccessBroker.Connectors.Azure.Tests.Fakes;
using AgentAccessBroker.Connectors.Azure.Tests.Support;
using AgentAccessBroker.Credentials;
using AgentAccessBroker.Domain;
using AgentAccessBroker.Testing.Broker;
using Microsoft.Extensions.Time.Testing;

namespace AgentAccessBroker.Connectors.Azure.Tests;

/// <summary>
/// The azure provider's health probe (a broker token and one ARM read of the agent's role assignments): after an ARM
/// outage the revocations that failed are retried as soon as a probe succeeds, not after their backoff, and nothing
/// secret is said. And how long a revoked lease is re-verified: until the handed-over token expires.
/// </summary>
public sealed class HealthProbeAndRecheckTests : RigTestBase
{
    private static readonly RevocationLaneOptions Lanes = new() { ConcurrencyPerTarget = 4, AttemptTimeout = TimeSpan.FromSeconds(30), ProbeInterval = TimeSpan.FromSeconds(2) };

    [Fact]
    public async Task Probe_AzureAnswers_ReadsTheAgentsAssignmentsAndChangesNothing()
    {
        var probe = (ITargetHealthProbe)Rig.CreateProvider();
        var before = Cloud.Requests.Count;

        await probe.ProbeAsync(Rig.Target(), CancellationToken.None);

        var calls = Cloud.Requests.Skip(before).ToList();
        Assert.Contains(calls, r => r.Method == "GET" && r.PathAndQuery.Contains("/providers/Microsoft.Authorization/roleAssignments?", StringComparison.Ordinal) && r.Status == 200);
        Assert.DoesNotContain(calls, r => r.Method is "PUT" or "DELETE" || (r.Method == "POST" && !r.PathAndQuery.Contains("/oauth2/", StringComparison.Ordinal)));
        Assert.Empty(Cloud.Assignments);
    }

    [Fact]
    public async Task Probe_ArmDown_ThrowsWithStatusAndNoSecret()
    {
        // The rig's clock ends every retry wait at once, so the connector's retries cost no time here.
        var provider = Rig.CreateProvider();
        var (_, minted) = await MintAsync(provider, Rig.Target(), [Group], ["Reader"]);
        Cloud.Down = true;

        var error = await Assert.ThrowsAnyAsync<Exception>(() => ((ITargetHealthProbe)provider).ProbeAsync(Rig.Target(), CancellationToken.None));

        Assert.Contains("HTTP 503 (ServiceUnavailable)", error.Message, StringComparison.Ordinal);
        Assert.Contains("health probe", error.Message, StringComparison.Ordinal);
        var written = error.ToString() + string.Join("\n", Rig.LogLines);
        foreach (var secret in Cloud.IssuedTokens.Concat([Cloud.Agent.StandingSecret!, Cloud.Broker.StandingSecret!]).Concat(minted.Credential.SecretValues()))
        {
            Assert.DoesNotContain(secret, written, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Revoke_ArmAnswersAgain_FailedRevocationsRetriedAtOnceNotAfterTheirBackoff()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var target = Rig.Target();
        await using var slice = await RevocationSlice.StartAsync(target, Group + "*", clock);
        // The rig's clock ends every retry wait at once: a revocation during the outage fails after its retries at once.
        var provider = Rig.CreateProvider();
        var node = slice.StartNode(provider, Lanes);
        var leases = new List<string>();
        foreach (var scope in new[] { Group, FakeAzureCloud.StorageAccountScope(), FakeAzureCloud.StorageAccountScope("stagentlogs") })
        {
            var (request, result) = await MintAsync(provider, target, [scope], ["Reader"]);
            // Eight failures already: the next retry would wait the full ten minutes.
            leases.Add(await slice.SeedAsync(RoleAssignmentCredentialProvider.ConnectorName, request, result, attempts: 8));
        }

        Cloud.Down = true;
        foreach (var id in leases)
        {
            Assert.Equal(RevocationOutcome.Failed, await node.Revoker.RevokeAsync(id, "scheduler", "lease ended", onlyIfDue: false, CancellationToken.None));
        }

        var failedAt = clock.GetUtcNow();
        foreach (var id in leases)
        {
            var failed = (await slice.Store.GetLeaseAsync(id, CancellationToken.None))!;
            Assert.Equal(LeaseState.RevocationFailed, failed.State);
            Assert.True(failed.NextAttemptAt >= failedAt + LeaseRevoker.MaxBackoff);
        }

        Cloud.Down = false;
        var allRevoked = false;
        for (var step = 0; step < 10 && !allRevoked; step++)
        {
            // The probe's timer is armed on another thread; keep the clock moving in probe-sized steps until it fires.
            clock.Advance(Lanes.ProbeInterval);
            allRevoked = await AllRevokedAsync(slice, leases, TimeSpan.FromMilliseconds(500));
        }

        allRevoked = allRevoked || await AllRevokedAsync(slice, leases, TimeSpan.FromSeconds(30));
        Assert.True(allRevoked, "the failed revocations were not retried after the target answered again");
        Assert.True(clock.GetUtcNow() - failedAt <= TimeSpan.FromSeconds(20), "recovery waited longer than a few probes");
        Assert.Empty(Cloud.Assignments);
    }

    [Fact]
    public async Task UsableUntil_TokenHandedOver_UntilTheTokenExpiresPlusSkew()
    {
        var provider = Rig.CreateProvider();
        var (request, result) = await MintAsync(provider, Rig.Target(), [Group], ["Reader"]);
        var lifetime = (IRevokedCredentialLifetime)provider;

        var until = lifetime.UsableUntil(AzureRig.Revocation(request, result.RevocationData));

        // The fake issues tokens for 3,599 s; the recorded expiry is to the second.
        Assert.InRange(until!.Value, result.ExpiresAt + TimeSpan.FromMinutes(5) - TimeSpan.FromSeconds(1), result.ExpiresAt + TimeSpan.FromMinutes(5));
        Assert.Null(lifetime.UsableUntil(AzureRig.Revocation(request, provider.Plan(request))));
    }

    [Fact]
    public async Task UsableUntil_ClientSecretMode_SecretEndPlusTheConfiguredTokenLifetime()
    {
        var provider = Rig.CreateProvider(o => o.RevokedTokenLifetime = TimeSpan.FromHours(28));
        var (request, result) = await MintAsync(provider, Rig.Target("client_secret"), [Group], ["Reader"]);

        var until = ((IRevokedCredentialLifetime)provider).UsableUntil(AzureRig.Revocation(request, result.RevocationData));

        Assert.Equal(request.NotAfter + TimeSpan.FromHours(28) + TimeSpan.FromMinutes(5), until);
    }

    private static async Task<bool> AllRevokedAsync(RevocationSlice slice, IReadOnlyList<string> leases, TimeSpan within)
    {
        var started = Stopwatch.GetTimestamp();
        do
        {
            var states = await Task.WhenAll(leases.Select(id => slice.Store.GetLeaseAsync(id, CancellationToken.None)));
            if (states.All(l => l!.State == LeaseState.Revoked))
            {
                return true;
            }

            // The retries run on the revoker's threads; look again without holding one.
            await Task.Yield();
        }
        while (Stopwatch.GetElapsedTime(started) < within);

        return false;
    }
}
