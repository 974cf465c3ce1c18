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
        return Register(services).ConfiguredWith(configure);
    }

    /// <summary>As <see cref="AddPostgresConnector(IServiceCollection, Action{PostgresConnectorOptions}?)"/>, with the options bound from <paramref name="configuration"/> (the host's <c>Connectors:PostgreSql</c> section).</summary>
    public static IServiceCollection AddPostgresConnector(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        return Register(services).BoundTo(configuration);
    }

    private static OptionsBuilder<PostgresConnectorOptions> Register(IServiceCollection services)
    {
        var options = services.AddConnectorBasics<PostgresConnectorOptions, PostgresConnectorOptionsValidation, PostgresActionVocabulary>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ICredentialProvider, PostgresLoginRoleProvider>());
        return options;
    }
}
