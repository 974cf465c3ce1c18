using AgentAccessBroker.Actions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace AgentAccessBroker.Credentials;

/// <summary>
/// What every credential connector registers the same way: its options, checked at start-up by its validator; the
/// clock; logging; and its action vocabulary. The connector adds its own <see cref="ICredentialProvider"/>.
/// </summary>
public static class ConnectorServiceCollectionExtensions
{
    /// <summary>Registers a connector's options (validated on start), its options validator, its action vocabulary, logging and the system clock unless one is registered.</summary>
    public static OptionsBuilder<TOptions> AddConnectorBasics<TOptions, TValidator, TVocabulary>(this IServiceCollection services)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>
        where TVocabulary : class, IActionVocabulary
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<TOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, TValidator>());
        services.AddLogging();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IActionVocabulary, TVocabulary>());
        return options;
    }

    /// <summary>Applies <paramref name="configure"/>, when given, to the options and returns the services.</summary>
    public static IServiceCollection ConfiguredWith<TOptions>(this OptionsBuilder<TOptions> options, Action<TOptions>? configure)
        where TOptions : class
    {
        ArgumentNullException.ThrowIfNull(options);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        return options.Services;
    }

    /// <summary>Binds the options to <paramref name="configuration"/> (the host's <c>Connectors:…</c> section) and returns the services.</summary>
    public static IServiceCollection BoundTo<TOptions>(this OptionsBuilder<TOptions> options, IConfiguration configuration)
        where TOptions : class
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(configuration);
        options.Bind(configuration);
        return options.Services;
    }
}
