using AgentAccessBroker.Actions;
using AgentAccessBroker.Credentials;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace AgentAccessBroker.Connectors.PostgreSql;

/// <summary>Registers the <c>postgresql</c> credential provider.</summary>
public static class PostgresConnectorServiceCollectionExtensions
{
    /// <summary>
    /// Adds the <c>postgresql</c> <see cref="ICredentialProvider"/>: just-in-time login roles with exact table grants,
    /// revoked by NOLOGIN, password expiry, session termination, REASSIGN/DROP OWNED in every database and DROP ROLE.
    /// The host must register an <see cref="ISecretResolver"/>; the admin password is read through it at each use and
    /// never logged. Options are validated at start-up.
    /// </summary>
    public static IServiceCollection AddPostgresConnector(this IServiceCollection services, Action<PostgresConnectorOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = Register(services);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        return services;
    }

    /// <summary>As <see cref="AddPostgresConnector(IServiceCollection, Action{PostgresConnectorOptions}?)"/>, with the options bound from <paramref name="configuration"/> (the host's <c>Connectors:PostgreSql</c> section).</summary>
    public static IServiceCollection AddPostgresConnector(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        Register(services).Bind(configuration);
        return services;
    }

    private static OptionsBuilder<PostgresConnectorOptions> Register(IServiceCollection services)
    {
        var options = services.AddOptions<PostgresConnectorOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PostgresConnectorOptions>, PostgresConnectorOptionsValidation>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ICredentialProvider, PostgresLoginRoleProvider>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IActionVocabulary, PostgresActionVocabulary>());
        return options;
    }
}
