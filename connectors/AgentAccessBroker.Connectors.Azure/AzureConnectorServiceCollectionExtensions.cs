using AgentAccessBroker.Actions;
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
        var options = Register(services);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        return services;
    }

    /// <summary>As <see cref="AddAzureConnector(IServiceCollection, Action{AzureConnectorOptions}?)"/>, with the options bound from <paramref name="configuration"/> (the host's <c>Connectors:Azure</c> section).</summary>
    public static IServiceCollection AddAzureConnector(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        Register(services).Bind(configuration);
        return services;
    }

    private static OptionsBuilder<AzureConnectorOptions> Register(IServiceCollection services)
    {
        var options = services.AddOptions<AzureConnectorOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AzureConnectorOptions>, AzureConnectorOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ICredentialProvider, RoleAssignmentCredentialProvider>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IActionVocabulary, AzureActionVocabulary>());
        return options;
    }
}
