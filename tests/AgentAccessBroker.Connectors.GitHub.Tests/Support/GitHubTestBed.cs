using System.Net.Http.Headers;
using System.Security.Cryptography;
using AgentAccessBroker.Connectors.GitHub.Tests.Fakes;
using AgentAccessBroker.Credentials;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using AgentAccessBroker.Testing.Fakes;

namespace AgentAccessBroker.Connectors.GitHub.Tests.Support;

/// <summary>
/// A fake GitHub with app 1234 installed (installation 42) on the organisation <c>acme</c> for repositories api, web
/// and infra, the app's private key in a PEM file the target references, and providers pointed at the fake.
/// </summary>
internal sealed class GitHubTestBed : IAsyncDisposable
{
    public const long AppId = 1234;
    public const long InstallationId = 42;
    public const string Owner = "acme";

    private readonly string _directory;
    private readonly HttpClient _http = new();

    private GitHubTestBed(FakeGitHub fake, FakeTimeProvider clock, string directory, string keyPath, string privateKeyPem)
    {
        Fake = fake;
        Clock = clock;
        _directory = directory;
        KeyPath = keyPath;
        PrivateKeyPem = privateKeyPem;
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("aab-tests", "1"));
    }

    public FakeGitHub Fake { get; }

    public FakeTimeProvider Clock { get; }

    public string KeyPath { get; }

    public string PrivateKeyPem { get; }

    public CapturingLoggerProvider Logs { get; } = new();

    public static async Task<GitHubTestBed> StartAsync()
    {
        using var key = RSA.Create(2048);
        var pem = key.ExportRSAPrivateKeyPem();
        var directory = Directory.CreateTempSubdirectory("aab-github-").FullName;
        var keyPath = Path.Combine(directory, "app.pem");
        await File.WriteAllTextAsync(keyPath, pem + "\n");
        var publicKey = RSA.Create();
        publicKey.ImportRSAPublicKey(key.ExportRSAPublicKey(), out _);
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var fake = await FakeGitHub.StartAsync(clock, AppId, publicKey);
        fake.AddInstallation(
            InstallationId,
            Owner,
            isOrganization: true,
            ["api", "web", "infra"],
            new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["contents"] = "write",
                ["issues"] = "write",
                ["pull_requests"] = "write",
                ["metadata"] = "read",
                ["actions"] = "read",
            });
        return new GitHubTestBed(fake, clock, directory, keyPath, pem);
    }

    public TargetSettings Target(Action<Dictionary<string, string>>? change = null)
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["app_id"] = AppId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["installation_id"] = InstallationId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["api_url"] = Fake.Url.AbsoluteUri,
            ["allowed_permissions"] = "contents:write,issues:write,pull_requests:write,actions:read",
        };
        change?.Invoke(settings);
        return new TargetSettings(
            "acme-repos",
            "github",
            settings,
            new Dictionary<string, SecretReference>(StringComparer.Ordinal) { ["private_key"] = new SecretReference(SecretSource.File, KeyPath) });
    }

    public InstallationTokenProvider CreateProvider(Action<GitHubConnectorOptions>? configure = null)
    {
        var options = new GitHubConnectorOptions();
        configure?.Invoke(options);
        return new InstallationTokenProvider(options, new EnvironmentAndFileSecretResolver(), Clock, Logs.CreateFactory().CreateLogger<InstallationTokenProvider>());
    }

    public MintRequest Request(IReadOnlyList<string> resources, IReadOnlyList<string> actions, TimeSpan? duration = null, TargetSettings? target = null)
    {
        var now = Clock.GetUtcNow();
        return new MintRequest(Domain.Ids.New("lease"), Domain.Ids.New("task"), "agent-1", target ?? Target(), resources, actions, now, now + (duration ?? TimeSpan.FromMinutes(30)));
    }

    public async Task<MintResult> MintAsync(ICredentialProvider provider, MintRequest request) =>
        await provider.MintAsync(request, provider.Plan(request), CancellationToken.None);

    public RevocationRequest Revocation(MintRequest request, RevocationData data) =>
        new(request.LeaseId, request.Target, data, request.NotAfter, Clock.GetUtcNow());

    /// <summary>GET /repos/{owner}/{repo}/contents/README.md with the token, as gh or git would; the status code.</summary>
    public async Task<int> ReadAsync(string token, string repository)
    {
        using var message = new HttpRequestMessage(HttpMethod.Get, new Uri(Fake.Url, $"repos/{repository}/contents/README.md"));
        message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await _http.SendAsync(message);
        return (int)response.StatusCode;
    }

    public static string TokenOf(IssuedCredential credential) => credential.EnvironmentVariables["GH_TOKEN"];

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await Fake.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }
}
