using AgentAccessBroker.Credentials;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace AgentAccessBroker.Connectors.GitHub.Tests;

/// <summary>
/// Against real GitHub, only with <c>AAB_LIVE=1</c> and <c>AAB_GITHUB_APP_ID</c>, <c>AAB_GITHUB_PRIVATE_KEY_FILE</c>
/// (the app's PEM), <c>AAB_GITHUB_REPOSITORY</c> (<c>owner/repo</c> the app is installed on with contents:read) and
/// either <c>AAB_GITHUB_INSTALLATION_ID</c> or nothing (the owner is looked up). Optional: <c>AAB_GITHUB_API_URL</c>.
/// </summary>
public sealed class LiveGitHubTests(ITestOutputHelper output)
{
    [SkippableFact]
    public async Task MintRevokeVerify_RealGitHub_TokenWorksThenIsRefused()
    {
        var appId = Environment.GetEnvironmentVariable("AAB_GITHUB_APP_ID");
        var keyFile = Environment.GetEnvironmentVariable("AAB_GITHUB_PRIVATE_KEY_FILE");
        var repository = Environment.GetEnvironmentVariable("AAB_GITHUB_REPOSITORY");
        // Reported as skipped, never as passed, when the live environment is not configured.
        Skip.If(
            Environment.GetEnvironmentVariable("AAB_LIVE") != "1" || string.IsNullOrEmpty(appId) || string.IsNullOrEmpty(keyFile) || string.IsNullOrEmpty(repository),
            "set AAB_LIVE=1, AAB_GITHUB_APP_ID, AAB_GITHUB_PRIVATE_KEY_FILE and AAB_GITHUB_REPOSITORY (owner/repo) to run against real GitHub");

        var settings = new Dictionary<string, string>(StringComparer.Ordinal) { ["app_id"] = appId, ["allowed_permissions"] = "contents:read" };
        if (Environment.GetEnvironmentVariable("AAB_GITHUB_INSTALLATION_ID") is { Length: > 0 } installation)
        {
            settings["installation_id"] = installation;
        }
        else
        {
            settings["owner"] = repository.Split('/')[0];
        }

        if (Environment.GetEnvironmentVariable("AAB_GITHUB_API_URL") is { Length: > 0 } api)
        {
            settings["api_url"] = api;
        }

        var target = new TargetSettings("live-github", "github", settings, new Dictionary<string, SecretReference> { ["private_key"] = new(SecretSource.File, keyFile) });
        await using var services = new ServiceCollection().AddSingleton<ISecretResolver, EnvironmentAndFileSecretResolver>().AddGitHubConnector().BuildServiceProvider();
        var provider = services.GetRequiredService<ICredentialProvider>();
        Assert.Empty(provider.ValidateTarget(target));
        var now = DateTimeOffset.UtcNow;
        var request = new MintRequest(Domain.Ids.New("lease"), Domain.Ids.New("task"), "aab-live-test", target, [repository], ["contents:read"], now, now.AddMinutes(15));

        var result = await provider.MintAsync(request, provider.Plan(request), CancellationToken.None);
        output.WriteLine($"minted for installation {result.RevocationData.Values["installation_id"]}, expires {result.ExpiresAt:O}");

        var revocation = new RevocationRequest(request.LeaseId, target, result.RevocationData, result.ExpiresAt, DateTimeOffset.UtcNow);
        Assert.False((await provider.VerifyAsync(revocation, CancellationToken.None)).Revoked);
        await provider.RevokeAsync(revocation, CancellationToken.None);
        await provider.RevokeAsync(revocation, CancellationToken.None);
        var verification = await provider.VerifyAsync(revocation, CancellationToken.None);
        output.WriteLine(verification.Evidence);
        Assert.True(verification.Revoked, verification.Evidence);
    }
}
