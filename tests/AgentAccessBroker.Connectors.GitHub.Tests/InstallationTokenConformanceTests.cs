using AgentAccessBroker.Connectors.GitHub.Tests.Support;
using AgentAccessBroker.Credentials;
using AgentAccessBroker.Testing;

namespace AgentAccessBroker.Connectors.GitHub.Tests;

/// <summary>
/// The shared provider suite against the fake GitHub, where "the credential works" is reading a repository's contents
/// with the token. A token from a mint whose result was never saved cannot be named to GitHub, so the plan-only cases
/// check that verify waits out the token's hour (plus the mint window) instead of claiming it gone.
/// </summary>
public sealed class InstallationTokenConformanceTests : CredentialProviderConformance, IAsyncLifetime
{
    private GitHubTestBed _bed = null!;

    protected override TargetSettings Target => _bed.Target();

    protected override IReadOnlyList<string> Resources => ["acme/api"];

    protected override IReadOnlyList<string> Actions => ["contents:read"];

    protected override TimeProvider Clock => _bed.Clock;

    protected override TimeSpan? PlanOnlyExposure => InstallationTokenProvider.TokenLifetime + InstallationTokenProvider.MintWindow;

    public async Task InitializeAsync() => _bed = await GitHubTestBed.StartAsync();

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    protected override ICredentialProvider CreateProvider() => _bed.CreateProvider();

    protected override async Task<bool> CredentialWorksAsync(IssuedCredential credential, CancellationToken cancellationToken) =>
        await _bed.ReadAsync(GitHubTestBed.TokenOf(credential), "acme/api") == 200;
}
