using AgentAccessBroker.Connectors.GitHub.Tests.Support;
using AgentAccessBroker.Credentials;

namespace AgentAccessBroker.Connectors.GitHub.Tests;

public sealed class MintTests : IAsyncLifetime
{
    private GitHubTestBed _bed = null!;

    public async Task InitializeAsync() => _bed = await GitHubTestBed.StartAsync();

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    [Fact]
    public async Task MintAsync_TwoRepositories_AsksGitHubForExactlyThoseRepositoriesAndPermissions()
    {
        using var provider = _bed.CreateProvider();

        await _bed.MintAsync(provider, _bed.Request(["acme/web", "acme/api"], ["contents:read", "pull_requests:write", "contents:write"]));

        var asked = Assert.Single(_bed.Fake.TokenRequests);
        Assert.Equal(GitHubTestBed.InstallationId, asked.InstallationId);
        Assert.Equal(["api", "web"], asked.Repositories);
        Assert.Equal(new Dictionary<string, string> { ["contents"] = "write", ["pull_requests"] = "write" }, asked.Permissions);
    }

    [Fact]
    public async Task MintAsync_AppJwt_IsBackdatedSixtySecondsAndExpiresWithinTenMinutes()
    {
        using var provider = _bed.CreateProvider();
        var now = _bed.Clock.GetUtcNow().ToUnixTimeSeconds();

        await _bed.MintAsync(provider, _bed.Request(["acme/api"], ["contents:read"]));

        var asked = Assert.Single(_bed.Fake.TokenRequests);
        Assert.Equal(now - 60, asked.Iat);
        Assert.Equal(now + 540, asked.Exp);
        Assert.Equal("1234", asked.Issuer);
    }

    [Fact]
    public async Task MintAsync_TokenForOneRepository_CannotReadAnother()
    {
        using var provider = _bed.CreateProvider();

        var result = await _bed.MintAsync(provider, _bed.Request(["acme/api"], ["contents:read"]));

        var token = GitHubTestBed.TokenOf(result.Credential);
        Assert.Equal(200, await _bed.ReadAsync(token, "acme/api"));
        Assert.Equal(404, await _bed.ReadAsync(token, "acme/web"));
    }

    [Fact]
    public async Task MintAsync_OwnerInsteadOfInstallationId_LooksUpTheInstallation()
    {
        using var provider = _bed.CreateProvider();
        var target = _bed.Target(s =>
        {
            s.Remove("installation_id");
            s["owner"] = "acme";
        });

        var result = await _bed.MintAsync(provider, _bed.Request(["acme/api"], ["issues:write"], target: target));

        Assert.Equal("42", result.RevocationData.Values["installation_id"]);
        Assert.Equal(42, Assert.Single(_bed.Fake.TokenRequests).InstallationId);
    }

    [Fact]
    public async Task MintAsync_Result_LeaseEndsBeforeTokenExpiryAndFormsCarryTheToken()
    {
        using var provider = _bed.CreateProvider();
        var request = _bed.Request(["acme/api", "acme/web"], ["contents:write"], TimeSpan.FromMinutes(59));

        var result = await _bed.MintAsync(provider, request);

        Assert.True(result.ExpiresAt >= request.NotAfter);
        Assert.True(result.ExpiresAt <= request.Now + TimeSpan.FromHours(1));
        Assert.Equal(Revocability.Immediate, result.Revocability);
        var token = GitHubTestBed.TokenOf(result.Credential);
        Assert.StartsWith("ghs_", token, StringComparison.Ordinal);
        Assert.Equal(token, result.Credential.EnvironmentVariables["GITHUB_TOKEN"]);
        Assert.Equal($"https://x-access-token:{token}@127.0.0.1:{_bed.Fake.Url.Port}/acme/web.git", result.Credential.Forms["git_remote:acme/web"]);
        Assert.Equal($"protocol=https\nhost=127.0.0.1:{_bed.Fake.Url.Port}\nusername=x-access-token\npassword={token}\n", result.Credential.Forms["git_credential"]);
    }

    [Fact]
    public void CheckRequest_LeaseLongerThanOneHour_IsRefusedNotShortened()
    {
        using var provider = _bed.CreateProvider();

        var refused = Assert.Throws<CredentialRequestException>(() => ((ICredentialProvider)provider).CheckRequest(_bed.Request(["acme/api"], ["contents:read"], TimeSpan.FromMinutes(61))));

        Assert.Equal("github_lease_too_long", refused.Code);
        Assert.True(refused.NothingCreated);
        Assert.Contains("at most 60 minutes", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MintAsync_GitHubTokenExpiresBeforeLeaseEnd_RevokesItAndRefuses()
    {
        using var provider = _bed.CreateProvider();
        _bed.Fake.IssuedTokenLifetime = TimeSpan.FromMinutes(20);

        var refused = await Assert.ThrowsAsync<CredentialMintException>(() => _bed.MintAsync(provider, _bed.Request(["acme/api"], ["contents:read"], TimeSpan.FromMinutes(30))));

        Assert.Equal("github_token_shorter_than_lease", refused.Code);
        Assert.True(refused.NothingCreated);
        Assert.DoesNotContain(_bed.Fake.AllSecrets.Where(s => s.StartsWith("ghs_", StringComparison.Ordinal)), _bed.Fake.TokenIsLive);
    }

    [Theory]
    [InlineData("acme/*", "contents:read", "github_bad_repository")]
    [InlineData("acme/api", "contents", "github_bad_permission")]
    [InlineData("acme/api", "administration:write", "github_permission_not_allowed")]
    [InlineData("acme/api", "actions:write", "github_permission_not_allowed")]
    public void CheckRequest_OutsideVocabularyOrAllowedPermissions_IsRefused(string resource, string action, string code)
    {
        using var provider = _bed.CreateProvider();

        var refused = Assert.Throws<CredentialRequestException>(() => ((ICredentialProvider)provider).CheckRequest(_bed.Request([resource], [action])));

        Assert.Equal(code, refused.Code);
    }

    [Fact]
    public void CheckRequest_TwoOwners_IsRefused()
    {
        using var provider = _bed.CreateProvider();

        var refused = Assert.Throws<CredentialRequestException>(() => ((ICredentialProvider)provider).CheckRequest(_bed.Request(["acme/api", "other/api"], ["contents:read"])));

        Assert.Equal("github_mixed_owners", refused.Code);
    }

    [Fact]
    public async Task MintAsync_RepositoryOutsideInstallation_IsRefusedAsCallerError()
    {
        using var provider = _bed.CreateProvider();

        var refused = await Assert.ThrowsAsync<CredentialRequestException>(() => _bed.MintAsync(provider, _bed.Request(["acme/secret-plans"], ["contents:read"])));

        Assert.Equal("github_unprocessable", refused.Code);
        Assert.True(refused.NothingCreated);
        Assert.Contains("not accessible to the parent installation", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RevokeAsync_SealedTokenWithRotatedAppKey_FailsUntilTheTokenExpires()
    {
        using var provider = _bed.CreateProvider();
        var request = _bed.Request(["acme/api"], ["contents:read"]);
        var result = await _bed.MintAsync(provider, request);
        using (var other = System.Security.Cryptography.RSA.Create(2048))
        {
            await File.WriteAllTextAsync(_bed.KeyPath, other.ExportRSAPrivateKeyPem());
        }

        var failed = await Assert.ThrowsAsync<InvalidOperationException>(() => provider.RevokeAsync(_bed.Revocation(request, result.RevocationData), CancellationToken.None));
        Assert.Contains("cannot be opened", failed.Message, StringComparison.Ordinal);

        var afterExpiry = _bed.Revocation(request, result.RevocationData) with { Now = result.ExpiresAt };
        await provider.RevokeAsync(afterExpiry, CancellationToken.None);
        Assert.True((await provider.VerifyAsync(afterExpiry, CancellationToken.None)).Revoked);
    }
}
