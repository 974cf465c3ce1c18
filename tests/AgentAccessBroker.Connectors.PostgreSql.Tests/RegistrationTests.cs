using AgentAccessBroker.Connectors.PostgreSql.Tests.Support;
using AgentAccessBroker.Credentials;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AgentAccessBroker.Connectors.PostgreSql.Tests;

public sealed class RegistrationTests
{
    [Fact]
    public void AddPostgresConnector_WithSecretResolver_RegistersProviderNamedPostgresql()
    {
        var services = new ServiceCollection().AddLogging().AddSingleton<ISecretResolver, DictionarySecretResolver>();

        services.AddPostgresConnector(o => o.MaxRetryAttempts = 2);
        using var provider = services.BuildServiceProvider();
        var registry = new CredentialProviderRegistry(provider.GetServices<ICredentialProvider>());

        Assert.IsType<PostgresLoginRoleProvider>(registry.Get("postgresql"));
        Assert.Equal(2, provider.GetRequiredService<IOptions<PostgresConnectorOptions>>().Value.MaxRetryAttempts);
    }

    [Fact]
    public void AddPostgresConnector_CalledTwice_RegistersOneProvider()
    {
        var services = new ServiceCollection().AddLogging().AddSingleton<ISecretResolver, DictionarySecretResolver>();

        services.AddPostgresConnector().AddPostgresConnector();
        using var provider = services.BuildServiceProvider();

        Assert.Single(provider.GetServices<ICredentialProvider>());
    }

    [Fact]
    public void AddPostgresConnector_BadOptions_ValidationReportsEveryProblem()
    {
        var services = new ServiceCollection().AddLogging().AddSingleton<ISecretResolver, DictionarySecretResolver>();
        services.AddPostgresConnector(o =>
        {
            o.ConnectTimeout = TimeSpan.FromMilliseconds(1500);
            o.MaxRetryAttempts = 11;
            o.RetryBaseDelay = TimeSpan.FromSeconds(-1);
        });
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<PostgresConnectorOptions>>().Value);

        Assert.Equal(3, error.Failures.Count());
    }
}
