using AgentAccessBroker.Credentials;
using Microsoft.Extensions.DependencyInjection;

namespace AgentAccessBroker.Connectors.GitHub.Tests;

public sealed class RegistrationTests
{
    [Fact]
    public void AddGitHubConnector_WithSecretResolver_RegistersGithubProvider()
    {
        var services = new ServiceCollection().AddSingleton<ISecretResolver, EnvironmentAndFileSecretResolver>();

        services.AddGitHubConnector();

        using var provider = services.BuildServiceProvider();
        Assert.Equal("github", Assert.Single(provider.GetServices<ICredentialProvider>()).Name);
    }

    [Fact]
    public void AddGitHubConnector_InvalidOptions_ListsEveryProblem()
    {
        var failed = Assert.Throws<ArgumentException>(() => new ServiceCollection().AddGitHubConnector(o =>
        {
            o.RequestTimeout = TimeSpan.Zero;
            o.ClockSkewTolerance = TimeSpan.FromHours(1);
        }));

        Assert.Contains("RequestTimeout", failed.Message, StringComparison.Ordinal);
        Assert.Contains("ClockSkewTolerance", failed.Message, StringComparison.Ordinal);
    }
}
