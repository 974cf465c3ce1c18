using AgentAccessBroker.Connectors.GitHub.Tests.Fakes;
using AgentAccessBroker.Connectors.GitHub.Tests.Support;
using AgentAccessBroker.Credentials;

namespace AgentAccessBroker.Connectors.GitHub.Tests;

public sealed class FaultTests : IAsyncLifetime
{
    private GitHubTestBed _bed = null!;

    public async Task InitializeAsync() => _bed = await GitHubTestBed.StartAsync();

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    [Fact]
    public async Task MintAsync_RateLimited_ReportsResetTimeAndNothingCreated()
    {
        using var provider = _bed.CreateProvider();
        var reset = DateTimeOffset.FromUnixTimeSeconds(_bed.Clock.GetUtcNow().ToUnixTimeSeconds() + 900);
        _bed.Fake.QueueFault(FakeGitHub.CreateToken, new FakeGitHubFault.RateLimited(reset));

        var failed = await Assert.ThrowsAsync<CredentialMintException>(() => _bed.MintAsync(provider, _bed.Request(["acme/api"], ["contents:read"])));

        Assert.Equal("github_rate_limited", failed.Code);
        Assert.True(failed.NothingCreated);
        Assert.Contains(reset.ToString("O", System.Globalization.CultureInfo.InvariantCulture), failed.Message, StringComparison.Ordinal);
        Assert.Contains("request id FAKE:", failed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MintAsync_ServerError_IsInfrastructureFaultThatMayHaveCreatedSomething()
    {
        using var provider = _bed.CreateProvider();
        _bed.Fake.QueueFault(FakeGitHub.CreateToken, new FakeGitHubFault.ServerError(502));

        var failed = await Assert.ThrowsAsync<CredentialMintException>(() => _bed.MintAsync(provider, _bed.Request(["acme/api"], ["contents:read"])));

        Assert.Equal("github_unavailable", failed.Code);
        Assert.False(failed.NothingCreated);
        Assert.Contains("502", failed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MintAsync_NoAnswer_TimesOutWithItsOwnCode()
    {
        using var provider = _bed.CreateProvider(o => o.RequestTimeout = TimeSpan.FromMilliseconds(300));
        _bed.Fake.QueueFault(FakeGitHub.CreateToken, new FakeGitHubFault.Hang());

        var failed = await Assert.ThrowsAsync<CredentialMintException>(() => _bed.MintAsync(provider, _bed.Request(["acme/api"], ["contents:read"])));

        Assert.Equal("github_timeout", failed.Code);
        Assert.False(failed.NothingCreated);
    }

    [Fact]
    public async Task RevokeAsync_ServerErrorThenRetry_FailsThenRevokes()
    {
        using var provider = _bed.CreateProvider();
        var request = _bed.Request(["acme/api"], ["contents:read"]);
        var result = await _bed.MintAsync(provider, request);
        _bed.Fake.QueueFault(FakeGitHub.DeleteToken, new FakeGitHubFault.ServerError(503));

        var failed = await Assert.ThrowsAsync<InvalidOperationException>(() => provider.RevokeAsync(_bed.Revocation(request, result.RevocationData), CancellationToken.None));
        Assert.Contains("503", failed.Message, StringComparison.Ordinal);
        Assert.True(_bed.Fake.TokenIsLive(GitHubTestBed.TokenOf(result.Credential)));

        await provider.RevokeAsync(_bed.Revocation(request, result.RevocationData), CancellationToken.None);
        Assert.False(_bed.Fake.TokenIsLive(GitHubTestBed.TokenOf(result.Credential)));
    }

    [Fact]
    public async Task VerifyAsync_RateLimited_ThrowsInsteadOfGuessing()
    {
        using var provider = _bed.CreateProvider();
        var request = _bed.Request(["acme/api"], ["contents:read"]);
        var result = await _bed.MintAsync(provider, request);
        await provider.RevokeAsync(_bed.Revocation(request, result.RevocationData), CancellationToken.None);
        _bed.Fake.QueueFault(FakeGitHub.ListRepositories, new FakeGitHubFault.RateLimited(_bed.Clock.GetUtcNow().AddMinutes(5)));

        var failed = await Assert.ThrowsAsync<InvalidOperationException>(() => provider.VerifyAsync(_bed.Revocation(request, result.RevocationData), CancellationToken.None));

        Assert.Contains("rate limit", failed.Message, StringComparison.Ordinal);
    }
}
