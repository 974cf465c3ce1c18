using AgentAccessBroker.Connectors.PostgreSql;
using AgentAccessBroker.Credentials;

namespace AgentAccessBroker.Server.Hosting;

/// <summary>Every credential provider and approval channel the broker ships with.</summary>
public static class BrokerConnectorCatalog
{
    public static void Add(IServiceCollection services)
    {
        services.AddPostgresConnector();
    }

    /// <summary>A registry of all providers, for validating policies outside a running broker (<c>aab policy check</c>).</summary>
    public static CredentialProviderRegistry Registry()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<ISecretResolver, EnvironmentAndFileSecretResolver>();
        Add(services);
        using var provider = services.BuildServiceProvider();
        return new CredentialProviderRegistry(provider.GetServices<ICredentialProvider>());
    }
}
