using AgentAccessBroker.Connectors.GitHub.Tests.Support;
using AgentAccessBroker.Credentials;

namespace AgentAccessBroker.Connectors.GitHub.Tests;

public sealed class TargetTests
{
    private static readonly SecretReference Key = new(SecretSource.File, "/run/secrets/app.pem");

    private static TargetSettings Target(Dictionary<string, string> settings, bool withKey = true) =>
        new("t", "github", settings, withKey ? new Dictionary<string, SecretReference> { ["private_key"] = Key } : []);

    [Fact]
    public void ValidateTarget_Complete_HasNoProblems()
    {
        var problems = new GitHubTestBedless().Provider.ValidateTarget(Target(new() { ["app_id"] = "1", ["owner"] = "acme", ["allowed_permissions"] = "contents:read" }));

        Assert.Empty(problems);
    }

    [Fact]
    public void ValidateTarget_Empty_ReportsEveryMissingKeyAtOnce()
    {
        var problems = new GitHubTestBedless().Provider.ValidateTarget(Target([], withKey: false));

        Assert.Equal(["allowed_permissions", "app_id", "installation_id", "private_key"], problems.Select(p => p.Key).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("private_key", "-----BEGIN RSA PRIVATE KEY-----")]
    [InlineData("api_url", "http://ghe.example.com/api/v3")]
    [InlineData("allowed_permissions", "contents")]
    [InlineData("app_id", "abc")]
    [InlineData("colour", "blue")]
    public void ValidateTarget_BadSetting_NamesTheKeyWithoutEchoingSecrets(string key, string value)
    {
        var settings = new Dictionary<string, string> { ["app_id"] = "1", ["installation_id"] = "2", ["allowed_permissions"] = "contents:read", [key] = value };

        var problems = new GitHubTestBedless().Provider.ValidateTarget(Target(settings));

        var problem = Assert.Single(problems);
        Assert.Equal(key, problem.Key);
        Assert.DoesNotContain("BEGIN", problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "github.com")]
    [InlineData("https://ghe.example.com/api/v3", "ghe.example.com")]
    public void Parse_ApiUrl_DerivesGitHost(string? apiUrl, string gitHost)
    {
        var settings = new Dictionary<string, string> { ["app_id"] = "1", ["installation_id"] = "2", ["allowed_permissions"] = "contents:read" };
        if (apiUrl is not null)
        {
            settings["api_url"] = apiUrl;
        }

        var target = GitHubTarget.Parse(Target(settings));

        Assert.Equal(gitHost, target.GitHost);
        Assert.EndsWith("/", target.ApiUrl.AbsoluteUri, StringComparison.Ordinal);
    }

    private sealed class GitHubTestBedless
    {
        public ICredentialProvider Provider { get; } =
            new InstallationTokenProvider(new GitHubConnectorOptions(), new EnvironmentAndFileSecretResolver(), TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<InstallationTokenProvider>.Instance);
    }
}
