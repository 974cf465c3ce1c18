using System.Text.Json;
using AgentAccessBroker.Connectors.GitHub.Tests.Fakes;
using AgentAccessBroker.Connectors.GitHub.Tests.Support;
using AgentAccessBroker.Credentials;

namespace AgentAccessBroker.Connectors.GitHub.Tests;

/// <summary>No private key, app JWT or installation token in logs, exceptions, revocation data or printed values.</summary>
public sealed class SecretLeakTests : IAsyncLifetime
{
    private GitHubTestBed _bed = null!;

    public async Task InitializeAsync() => _bed = await GitHubTestBed.StartAsync();

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    [Fact]
    public async Task FullLifecycleWithFaults_NoSecretInLogsExceptionsDataOrStrings()
    {
        using var provider = _bed.CreateProvider();
        // Only the fault round uses a short timeout, for the hanging calls; the rest of the lifecycle may be slow.
        using var faulty = _bed.CreateProvider(o => o.RequestTimeout = TimeSpan.FromSeconds(2));
        var texts = new List<string>();
        var request = _bed.Request(["acme/api", "acme/web"], ["contents:write", "issues:write"]);
        var plan = provider.Plan(request);
        var result = await provider.MintAsync(request, plan, CancellationToken.None);
        texts.Add(result.ToString());
        texts.Add(result.Credential.ToString());
        texts.Add(JsonSerializer.Serialize(plan.Values));
        texts.Add(JsonSerializer.Serialize(result.RevocationData.Values));
        texts.Add(result.RevocationNote);

        foreach (var fault in new FakeGitHubFault[] { new FakeGitHubFault.RateLimited(_bed.Clock.GetUtcNow().AddMinutes(1)), new FakeGitHubFault.ServerError(500), new FakeGitHubFault.Hang() })
        {
            _bed.Fake.QueueFault(FakeGitHub.CreateToken, fault);
            var failed = await Assert.ThrowsAsync<CredentialMintException>(() => _bed.MintAsync(faulty, _bed.Request(["acme/api"], ["contents:read"])));
            texts.Add(failed.ToString());
            _bed.Fake.QueueFault(FakeGitHub.DeleteToken, fault);
            var revokeFailed = await Assert.ThrowsAsync<InvalidOperationException>(() => faulty.RevokeAsync(_bed.Revocation(request, result.RevocationData), CancellationToken.None));
            texts.Add(revokeFailed.ToString());
        }

        texts.Add((await Assert.ThrowsAsync<CredentialRequestException>(() => _bed.MintAsync(provider, _bed.Request(["acme/nope"], ["contents:read"])))).ToString());
        await provider.RevokeAsync(_bed.Revocation(request, result.RevocationData), CancellationToken.None);
        texts.Add((await provider.VerifyAsync(_bed.Revocation(request, result.RevocationData), CancellationToken.None)).ToString());
        texts.Add(_bed.Logs.AllText);

        var secrets = _bed.Fake.AllSecrets.Concat(result.Credential.SecretValues()).ToList();
        Assert.Contains(secrets, s => s.StartsWith("ghs_", StringComparison.Ordinal));
        Assert.Contains(secrets, s => s.StartsWith("eyJ", StringComparison.Ordinal));
        var keyBody = _bed.PrivateKeyPem.Split('\n')[1];
        var all = string.Join("\n", texts);
        Assert.DoesNotContain(keyBody, all, StringComparison.Ordinal);
        Assert.All(secrets, secret => Assert.DoesNotContain(secret, all, StringComparison.Ordinal));
        Assert.Contains("Minted a GitHub installation token", _bed.Logs.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MintAsync_PrivateKeyNotPem_MessageNamesReferenceNotContent()
    {
        await File.WriteAllTextAsync(_bed.KeyPath, "-----BEGIN RSA PRIVATE KEY-----\nTUlJRXBBSUJBQUtDQVFFQSBzZWNyZXQ=\n-----END RSA PRIVATE KEY-----\n");
        using var provider = _bed.CreateProvider();

        var failed = await Assert.ThrowsAsync<CredentialMintException>(() => _bed.MintAsync(provider, _bed.Request(["acme/api"], ["contents:read"])));

        Assert.Equal("github_private_key_invalid", failed.Code);
        Assert.Contains(_bed.KeyPath, failed.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("TUlJRXBBSUJBQUtDQVFFQSBzZWNyZXQ", failed.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RevocationData_SealedToken_OpensOnlyForItsLease()
    {
        using var provider = _bed.CreateProvider();
        var request = _bed.Request(["acme/api"], ["contents:read"]);
        var result = await _bed.MintAsync(provider, request);
        var other = _bed.Request(["acme/api"], ["contents:read"]);

        // Revocation data copied onto another lease does not open: the seal is bound to the lease id.
        await Assert.ThrowsAsync<InvalidOperationException>(() => provider.RevokeAsync(_bed.Revocation(other, result.RevocationData), CancellationToken.None));
        Assert.True(_bed.Fake.TokenIsLive(GitHubTestBed.TokenOf(result.Credential)));
    }
}
