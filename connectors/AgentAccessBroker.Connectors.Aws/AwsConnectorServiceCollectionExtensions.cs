using AgentAccessBroker.Connectors.Aws.Revocation;
using AgentAccessBroker.Credentials;
using AgentAccessBroker.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AgentAccessBroker.Connectors.Aws;

public static class AwsConnectorServiceCollectionExtensions
{
    /// <summary>
    /// Registers the <c>aws</c> credential provider (STS sessions revoked through a deny policy on the target role).
    /// </summary>
    /// <remarks>
    /// Optional collaborators are taken from the container when registered: <see cref="IResourceLock"/> (serialises
    /// deny-policy updates across clustered nodes; without it updates are serialised within this process only),
    /// <see cref="IRevocationObserver"/> (told when a revocation falls back to denying a whole role, so the host can
    /// audit it) and <see cref="TimeProvider"/> (defaults to the system clock).
    /// </remarks>
    /// <exception cref="ArgumentException">The options are invalid; the message lists every problem.</exception>
    public static IServiceCollection AddAwsConnector(this IServiceCollection services, Action<AwsConnectorOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = new AwsConnectorOptions();
        configure?.Invoke(options);
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException("Invalid AWS connector options: " + string.Join(" ", problems), nameof(configure));
        }

        return Register(services).ConfiguredWith(configure);
    }

    /// <summary>
    /// As <see cref="AddAwsConnector(IServiceCollection, Action{AwsConnectorOptions}?)"/>, with the options bound from
    /// <paramref name="configuration"/> (the host's <c>Connectors:Aws</c> section) and checked at start-up.
    /// </summary>
    public static IServiceCollection AddAwsConnector(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        return Register(services).BoundTo(configuration);
    }

    private static OptionsBuilder<AwsConnectorOptions> Register(IServiceCollection services)
    {
        var options = services.AddConnectorBasics<AwsConnectorOptions, AwsConnectorOptionsValidation, AwsActionVocabulary>();
        services.AddSingleton<ICredentialProvider>(sp => new StsCredentialProvider(
            sp.GetRequiredService<IOptions<AwsConnectorOptions>>().Value,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<StsCredentialProvider>>(),
            new RoleGate(sp.GetService<IResourceLock>()),
            sp.GetServices<IRevocationObserver>()));
        return options;
    }
}
