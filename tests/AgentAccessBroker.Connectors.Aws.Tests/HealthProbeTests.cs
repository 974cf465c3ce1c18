using System.Diagnostics;
using AgentAccessBroker.Brokering;
using AgentAccessBroker.Connectors.Aws.Tests.Support;
using AgentAccessBroker.Testing.Broker;
using AgentAccessBroker.Domain;

namespace AgentAccessBroker.Connectors.Aws.Tests;

/// <summary>
/// The aws provider's health probe (STS GetCallerIdentity, then IAM GetRolePolicy of the deny policy): after an outage,
/// the revocations that failed are retried as soon as a probe succeeds, not after their backoff; nothing secret is said.
/// </summary>
public sealed class HealthProbeTests : FakeAwsTests
{
    private static readonly RevocationLaneOptions Lanes = new() { ConcurrencyPerTarget = 4, AttemptTimeout = TimeSpan.FromSeconds(30), ProbeInterval = TimeSpan.FromSeconds(2) };

    [Fact]
    public async Task Probe_AwsAnswers_CallsStsAndIamAndChangesNothing()
    {
        var provider = Bed.CreateProvider();

        await provider.ProbeAsync(Bed.Target(Role), CancellationToken.None);

        Assert.Equal(1, Bed.Fake.Count("GetCallerIdentity"));
        Assert.Equal(1, Bed.Fake.Count("GetRolePolicy"));
        Assert.Equal(0, Bed.Fake.Count("PutRolePolicy") + Bed.Fake.Count("DeleteRolePolicy"));
        Assert.Null(Bed.Fake.PolicyOf(Role.Name));
    }

    [Fact]
    public async Task Probe_AwsDown_ThrowsNamingTheCallAndNoSecret()
    {
        var provider = Bed.CreateProvider();
        await Bed.MintAsync(provider, Bed.Target(Role));
        Bed.Fake.Down = true;

        var error = await Assert.ThrowsAsync<AwsCallException>(() => provider.ProbeAsync(Bed.Target(Role), CancellationToken.None));

        Assert.Contains("STS GetCallerIdentity returned", error.Message, StringComparison.Ordinal);
        Assert.Contains(Role.Arn, error.Message, StringComparison.Ordinal);
        Assert.Equal(0, Bed.Fake.Count("GetRolePolicy"));
        foreach (var secret in Bed.Fake.AllSecrets)
        {
            Assert.DoesNotContain(secret, error.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain(secret, Bed.Logs.AllText, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Revoke_AwsAnswersAgain_FailedRevocationsRetriedAtOnceNotAfterTheirBackoff()
    {
        var target = Bed.Target(Role);
        await using var slice = await RevocationSlice.StartAsync(target, "arn:aws:s3:::reports/*", Bed.Clock, Bed.Loggers);
        var provider = Bed.CreateProvider(o => o.MaxRetryAttempts = 0);
        var node = slice.StartNode(provider, Lanes);
        var leases = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var (request, result) = await Bed.MintAsync(provider, target, TimeSpan.FromHours(1));
            // Eight failures already: the next retry would wait the full ten minutes.
            leases.Add(await slice.SeedAsync(StsCredentialProvider.ProviderName, request, result, attempts: 8));
        }

        Bed.Fake.Down = true;
        foreach (var id in leases)
        {
            Assert.Equal(RevocationOutcome.Failed, await node.Revoker.RevokeAsync(id, "scheduler", "lease ended", onlyIfDue: false, CancellationToken.None));
        }

        var failedAt = Bed.Clock.GetUtcNow();
        foreach (var id in leases)
        {
            var failed = (await slice.Store.GetLeaseAsync(id, CancellationToken.None))!;
            Assert.Equal(LeaseState.RevocationFailed, failed.State);
            Assert.True(failed.NextAttemptAt >= failedAt + LeaseRevoker.MaxBackoff);
        }

        Bed.Fake.Down = false;
        var putsDone = Bed.Fake.WhenReceivedAsync("PutRolePolicy", leases.Count);
        for (var step = 0; step < 10 && !putsDone.IsCompleted; step++)
        {
            // The probe's timer is armed on another thread; keep the clock moving in probe-sized steps until it fires.
            Bed.Clock.Advance(Lanes.ProbeInterval);
            try
            {
                await putsDone.WaitAsync(TimeSpan.FromMilliseconds(500));
            }
            catch (TimeoutException)
            {
            }
        }

        await putsDone.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(Bed.Clock.GetUtcNow() - failedAt <= TimeSpan.FromSeconds(20), "recovery waited longer than a few probes");
        Assert.True(Bed.Fake.Count("GetCallerIdentity") >= 1);
        foreach (var id in leases)
        {
            Assert.Equal(LeaseState.Revoked, await StateAsync(slice, id));
        }

        foreach (var secret in Bed.Fake.AllSecrets)
        {
            Assert.DoesNotContain(secret, Bed.Logs.AllText, StringComparison.Ordinal);
        }
    }

    private static async Task<LeaseState?> StateAsync(RevocationSlice slice, string id)
    {
        var started = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(10))
        {
            var lease = await slice.Store.GetLeaseAsync(id, CancellationToken.None);
            if (lease?.State != LeaseState.Revoking)
            {
                return lease?.State;
            }

            // The deny policy was written; the verification and the store transition follow on the revoker's thread.
            await Task.Yield();
        }

        return (await slice.Store.GetLeaseAsync(id, CancellationToken.None))?.State;
    }
}
