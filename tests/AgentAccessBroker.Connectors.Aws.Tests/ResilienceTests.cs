using AgentAccessBroker.Connectors.Aws.Tests.Fakes;
using AgentAccessBroker.Connectors.Aws.Tests.Support;
using AgentAccessBroker.Credentials;

namespace AgentAccessBroker.Connectors.Aws.Tests;

public sealed class ResilienceTests : IAsyncLifetime
{
    private AwsTestBed _bed = null!;
    private FakeRole _role = null!;

    public async Task InitializeAsync()
    {
        _bed = await AwsTestBed.StartAsync();
        _role = _bed.Fake.AddRole("reports-reader");
    }

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    [Theory]
    [InlineData(FakeFault.Throttle)]
    [InlineData(FakeFault.ServerError)]
    [InlineData(FakeFault.UnavailableHtml)]
    [InlineData(FakeFault.TooManyRequests)]
    public async Task Mint_TransientFaultsTwice_RetriedWithBackoffThenSucceeds(FakeFault fault)
    {
        _bed.Fake.Inject("AssumeRole", fault, times: 2);
        var provider = _bed.CreateProvider();

        var (_, result) = await _bed.MintAsync(provider, _bed.Target(_role));

        Assert.Equal(3, _bed.Fake.Count("AssumeRole"));
        Assert.True(await _bed.CanAsync(result.Credential));
        var retries = _bed.Logs.Entries.Where(e => e.EventId == 4008).ToList();
        Assert.Equal(2, retries.Count);
        Assert.All(retries, r => Assert.Contains("Operation=sts:AssumeRole", r.Text, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Mint_HangingSts_TimesOutAndRetries()
    {
        _bed.Fake.Inject("AssumeRole", FakeFault.Hang);
        var provider = _bed.CreateProvider(o => o.AttemptTimeout = TimeSpan.FromMilliseconds(300));

        await _bed.MintAsync(provider, _bed.Target(_role));

        Assert.Equal(2, _bed.Fake.Count("AssumeRole"));
        Assert.Contains(_bed.Logs.Entries, e => e.EventId == 4008 && e.Text.Contains("Reason=timeout", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Revoke_FaultsOnEveryIamCall_RetriedAndEntryWritten()
    {
        var provider = _bed.CreateProvider(o => o.AttemptTimeout = TimeSpan.FromMilliseconds(300));
        var (request, result) = await _bed.MintAsync(provider, _bed.Target(_role));
        _bed.Fake.Inject("GetRolePolicy", FakeFault.ServerError);
        _bed.Fake.Inject("GetRolePolicy", FakeFault.Hang);
        _bed.Fake.Inject("GetRolePolicy", FakeFault.TooManyRequests);
        _bed.Fake.Inject("PutRolePolicy", FakeFault.Throttle, times: 2);

        await provider.RevokeAsync(_bed.Revocation(request, result.RevocationData), CancellationToken.None);

        Assert.Equal(4, _bed.Fake.Count("GetRolePolicy"));
        Assert.Equal(3, _bed.Fake.Count("PutRolePolicy"));
        Assert.False(await _bed.CanAsync(result.Credential));
    }

    [Fact]
    public async Task Revoke_PersistentFailure_ThrowsSafeMessageAfterAllAttempts()
    {
        var provider = _bed.CreateProvider();
        var (request, result) = await _bed.MintAsync(provider, _bed.Target(_role));
        _bed.Fake.Inject("PutRolePolicy", FakeFault.ServerError, times: 10);

        var error = await Assert.ThrowsAsync<AwsCallException>(() => provider.RevokeAsync(_bed.Revocation(request, result.RevocationData), CancellationToken.None));

        Assert.Equal(4, _bed.Fake.Count("PutRolePolicy"));
        Assert.StartsWith(
            $"AWS failed while revoking {request.LeaseId} in role {_role.Arn}: IAM PutRolePolicy/GetRolePolicy returned ServiceFailure (HTTP 500) after 4 attempts: An internal error occurred (AWS request id ",
            error.Message,
            StringComparison.Ordinal);
        Assert.DoesNotContain(_bed.Fake.AllSecrets, s => error.ToString().Contains(s, StringComparison.Ordinal));
        Assert.Contains(_bed.Logs.Entries, e => e.EventId == 4010);
        Assert.True(await _bed.CanAsync(result.Credential));
    }

    [Fact]
    public async Task Verify_PersistentThrottling_ThrowsAwsCallException()
    {
        var provider = _bed.CreateProvider();
        var (request, result) = await _bed.MintAsync(provider, _bed.Target(_role));
        _bed.Fake.Inject("GetRolePolicy", FakeFault.Throttle, times: 10);

        var error = await Assert.ThrowsAsync<AwsCallException>(() => provider.VerifyAsync(_bed.Revocation(request, result.RevocationData), CancellationToken.None));

        Assert.Contains("Throttling (HTTP 400) after 4 attempts", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mint_CallerError_NotRetried()
    {
        var provider = _bed.CreateProvider();
        var request = _bed.Request(_bed.Target(_role, ("max_session_duration", "2h")), TimeSpan.FromHours(2));

        var error = await Assert.ThrowsAsync<AwsCallException>(() => provider.MintAsync(request, provider.Plan(request), CancellationToken.None));

        Assert.Equal(1, _bed.Fake.Count("AssumeRole"));
        Assert.Contains("MaxSessionDuration", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mint_RetriesDisabled_FirstTransientFailureSurfaces()
    {
        _bed.Fake.Inject("AssumeRole", FakeFault.Throttle);
        var provider = _bed.CreateProvider(o => o.MaxRetryAttempts = 0);
        var request = _bed.Request(_bed.Target(_role));

        await Assert.ThrowsAsync<AwsCallException>(() => provider.MintAsync(request, provider.Plan(request), CancellationToken.None));

        Assert.Equal(1, _bed.Fake.Count("AssumeRole"));
    }

    [Fact]
    public async Task Mint_CallerCancels_DoesNotRetry()
    {
        _bed.Fake.Inject("AssumeRole", FakeFault.Hang, times: 5);
        var provider = _bed.CreateProvider();
        var request = _bed.Request(_bed.Target(_role));
        using var cancel = new CancellationTokenSource();
        var mint = provider.MintAsync(request, provider.Plan(request), cancel.Token);
        await _bed.Fake.WhenReceivedAsync("AssumeRole", 1).WaitAsync(TimeSpan.FromSeconds(10));

        cancel.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => mint);
        Assert.Equal(1, _bed.Fake.Count("AssumeRole"));
    }
}
