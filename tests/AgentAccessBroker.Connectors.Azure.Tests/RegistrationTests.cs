using AgentAccessBroker.Connectors.Azure.Tests.Support;
using AgentAccessBroker.Credentials;
using Azure.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AgentAccessBroker.Connectors.Azure.Tests;

public sealed class RegistrationTests
{
    [Fact]
    public void AddAzureConnector_WithSecretResolver_RegistersProviderNamedAzure()
    {
        var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton<ISecretResolver>(new DictionarySecretResolver(new Dictionary<string, string>()))
            .AddAzureConnector(o => o.BrokerCredential = new ClientSecretCredential("tenant", "client", "secret"));
        using var provider = services.BuildServiceProvider(validateScopes: true);

        var registry = new CredentialProviderRegistry(provider.GetServices<ICredentialProvider>());

        Assert.Equal("azure", Assert.Single(registry.Names));
    }

    [Fact]
    public void AddAzureConnector_CalledTwice_RegistersOneProvider()
    {
        var services = new ServiceCollection().AddLogging()
            .AddSingleton<ISecretResolver>(new DictionarySecretResolver(new Dictionary<string, string>()));

        services.AddAzureConnector().AddAzureConnector();

        Assert.Single(services, d => d.ServiceType == typeof(ICredentialProvider));
    }

    [Fact]
    public void AddAzureConnector_InvalidOptions_ReportsEveryProblem()
    {
        var services = new ServiceCollection().AddLogging()
            .AddAzureConnector(o =>
            {
                o.MaxRetries = -1;
                o.VisibilityChecks = 0;
                o.NetworkTimeout = TimeSpan.Zero;
            });
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<AzureConnectorOptions>>().Value);

        Assert.Equal(3, error.Failures.Count());
    }
}
