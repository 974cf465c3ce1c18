using AgentAccessBroker.Actions;
using AgentAccessBroker.Credentials;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace AgentAccessBroker.SampleConnector.Connector;

/// <summary>Registers the <c>sample</c> connector: the host's one line.</summary>
public static class SampleConnectorServiceCollectionExtensions
{
    /// <summary>Adds the provider (which is also its target's health probe), its action vocabulary and its options, bound from <paramref name="configuration"/> and checked at start-up.</summary>
    public static IServiceCollection AddSampleConnector(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<SampleConnectorOptions>().Bind(configuration).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SampleConnectorOptions>, SampleConnectorOptionsValidation>());
        services.TryAddSingleton<SampleActionVocabulary>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IActionVocabulary, SampleActionVocabulary>(sp => sp.GetRequiredService<SampleActionVocabulary>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ICredentialProvider, SampleCredentialProvider>());
        return services;
    }
}
