using AgentAccessBroker.Credentials;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace AgentAccessBroker.Connectors.Azure;

/// <summary>Registers the Azure connector.</summary>
public static class AzureConnectorServiceCollectionExtensions
{
    /// <summary>
    /// Adds the <c>azure</c> credential provider. The host must also register an <see cref="ISecretResolver"/> (the
    /// agents' client secrets are given by reference). Options are validated at start-up.
    /// </summary>
    public static IServiceCollection AddAzureConnector(this IServiceCollection services, Action<AzureConnectorOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        return Register(services).ConfiguredWith(configure);
    }

    /// <summary>As <see cref="AddAzureConnector(IServiceCollection, Action{AzureConnectorOptions}?)"/>, with the options bound from <paramref name="configuration"/> (the host's <c>Connectors:Azure</c> section).</summary>
    public static IServiceCollection AddAzureConnector(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        return Register(services).BoundTo(configuration);
    }

    private static OptionsBuilder<AzureConnectorOptions> Register(IServiceCollection services)
    {
        var options = services.AddConnectorBasics<AzureConnectorOptions, AzureConnectorOptionsValidator, AzureActionVocabulary>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ICredentialProvider, RoleAssignmentCredentialProvider>());
        return options;
    }
}
