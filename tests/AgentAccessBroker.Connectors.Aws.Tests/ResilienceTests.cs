using AgentAccessBroker.Connectors.Aws.Tests.Fakes;
using AgentAccessBroker.Connectors.Aws.Tests.Support;
using AgentAccessBroker.Credentials;

namespace AgentAccessBroker.Connectors.Aws.Tests;

public sealed class ResilienceTests : FakeAwsTests
{
    [Theory]
    [InlineData(FakeFault.Throttle)]
    [InlineData(FakeFault.ServerError)]
    [InlineData(FakeFault.UnavailableHtml)]
    [InlineData(FakeFault.TooManyRequests)]
    public async Task Mint_TransientFaultsTwice_RetriedWithBackoffThenSucceeds(FakeFault fault)
    {
        Bed.Fake.Inject("AssumeRole", fault, times: 2);
        var provider = Bed.CreateProvider();

        var (_, result) = await Bed.MintAsync(provider, Bed.Target(Role));

        Assert.Equal(3, Bed.Fake.Count("AssumeRole"));
        Assert.True(await Bed.CanAsync(result.Credential));
        var retries = Bed.Logs.Entries.Where(e => e.EventId == 4008).ToList();
        Assert.Equal(2, retries.Count);
        Assert.All(retries, r => Assert.Contains("Operation=sts:AssumeRole", r.Text, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Mint_HangingSts_TimesOutAndRetries()
    {
        Bed.Fake.Inject("AssumeRole", FakeFault.Hang);
        var provider = Bed.CreateProvider(o => o.AttemptTimeout = TimeSpan.FromMilliseconds(300));

        await Bed.MintAsync(provider, Bed.Target(Role));

        Assert.Equal(2, Bed.Fake.Count("AssumeRole"));
        Assert.Contains(Bed.Logs.Entries, e => e.EventId == 4008 && e.Text.Contains("Reason=timeout", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Revoke_FaultsOnEveryIamCall_RetriedAndEntryWritten()
    {
        var provider = Bed.CreateProvider(o => o.AttemptTimeout = TimeSpan.FromMilliseconds(300));
        var (request, result) = await Bed.MintAsync(provider, Bed.Target(Role));
        Bed.Fake.Inject("GetRolePolicy", FakeFault.ServerError);
        Bed.Fake.Inject("GetRolePolicy", FakeFault.Hang);
        Bed.Fake.Inject("GetRolePolicy", FakeFault.TooManyRequests);
        Bed.Fake.Inject("PutRolePolicy", FakeFault.Throttle, times: 2);

        await provider.RevokeAsync(Bed.Revocation(request, result.RevocationData), CancellationToken.None);

        Assert.Equal(4, Bed.Fake.Count("GetRolePolicy"));
        Assert.Equal(3, Bed.Fake.Count("PutRolePolicy"));
        Assert.False(await Bed.CanAsync(result.Credential));
    }

    [Fact]
    public async Task Revoke_PersistentFailure_ThrowsSafeMessageAfterAllAttempts()
    {
        var provider = Bed.CreateProvider();
        var (request, result) = await Bed.MintAsync(provider, Bed.Target(Role));
        Bed.Fake.Inject("PutRolePolicy", FakeFault.ServerError, times: 10);

        var error = await Assert.ThrowsAsync<AwsCallException>(() => provider.RevokeAsync(Bed.Revocation(request, result.RevocationData), CancellationToken.None));

        Assert.Equal(4, Bed.Fake.Count("PutRolePolicy"));
        Assert.StartsWith(
            $"AWS failed while revoking {request.LeaseId} in role {Role.Arn}: IAM PutRolePolicy returned ServiceFailure (HTTP 500) after 4 attempts: An internal error occurred (AWS request id ",
            error.Message,
            StringComparison.Ordinal);
        Assert.DoesNotContain(Bed.Fake.AllSecrets, s => error.ToString().Contains(s, StringComparison.Ordinal));
        Assert.Contains(Bed.Logs.Entries, e => e.EventId == 4010);
        Assert.True(await Bed.CanAsync(result.Credential));
    }

    [Fact]
    public async Task Verify_PersistentThrottling_ThrowsAwsCallException()
    {
        var provider = Bed.CreateProvider();
        var (request, result) = await Bed.MintAsync(provider, Bed.Target(Role));
        Bed.Fake.Inject("GetRolePolicy", FakeFault.Throttle, times: 10);

        var error = await Assert.ThrowsAsync<AwsCallException>(() => provider.VerifyAsync(Bed.Revocation(request, result.RevocationData), CancellationToken.None));

        Assert.Contains("Throttling (HTTP 400) after 4 attempts", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mint_CallerError_NotRetried()
    {
        var provider = Bed.CreateProvider();
        var request = Bed.Request(Bed.Target(Role, ("max_session_duration", "2h")), TimeSpan.FromHours(2));

        var error = await Assert.ThrowsAsync<CredentialMintException>(() => provider.MintAsync(request, provider.Plan(request), CancellationToken.None));

        Assert.Equal(1, Bed.Fake.Count("AssumeRole"));
        Assert.Contains("MaxSessionDuration", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mint_RetriesDisabled_FirstTransientFailureSurfaces()
    {
        Bed.Fake.Inject("AssumeRole", FakeFault.Throttle);
        var provider = Bed.CreateProvider(o => o.MaxRetryAttempts = 0);
        var request = Bed.Request(Bed.Target(Role));

        var error = await Assert.ThrowsAsync<CredentialMintException>(() => provider.MintAsync(request, provider.Plan(request), CancellationToken.None));
        Assert.Equal("aws_unavailable", error.Code);
        Assert.False(error.NothingCreated);

        Assert.Equal(1, Bed.Fake.Count("AssumeRole"));
    }

    [Fact]
    public async Task Mint_CallerCancels_DoesNotRetry()
    {
        Bed.Fake.Inject("AssumeRole", FakeFault.Hang, times: 5);
        var provider = Bed.CreateProvider();
        var request = Bed.Request(Bed.Target(Role));
        using var cancel = new CancellationTokenSource();
        var mint = provider.MintAsync(request, provider.Plan(request), cancel.Token);
        await Bed.Fake.WhenReceivedAsync("AssumeRole", 1).WaitAsync(TimeSpan.FromSeconds(10));

        cancel.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => mint);
        Assert.Equal(1, Bed.Fake.Count("AssumeRole"));
    }
}
