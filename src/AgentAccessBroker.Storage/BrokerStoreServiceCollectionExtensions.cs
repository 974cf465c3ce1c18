using AgentAccessBroker.Audit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AgentAccessBroker.Storage;

/// <summary>Registers the store with dependency injection.</summary>
public static class BrokerStoreServiceCollectionExtensions
{
    /// <summary>
    /// Registers one <see cref="BrokerStore"/> singleton as <see cref="IBrokerStore"/>, <see cref="IAuditLog"/> and
    /// <see cref="IResourceLock"/>. Uses <see cref="TimeProvider"/> and <see cref="ILoggerFactory"/> from the container
    /// when registered. The host must await <see cref="BrokerStore.MigrateAsync"/> at start-up before serving.
    /// </summary>
    /// <param name="provider"><c>sqlite</c> or <c>postgres</c>; validated here, so a typo fails at start-up.</param>
    /// <param name="connectionStringOrPath">See <see cref="BrokerStoreFactory.Create"/>. A secret: never logged.</param>
    public static IServiceCollection AddBrokerStore(this IServiceCollection services, string provider, string connectionStringOrPath)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionStringOrPath);
        var normalised = BrokerStoreFactory.NormaliseProvider(provider);
        services.AddSingleton(sp => BrokerStoreFactory.Create(
            normalised, connectionStringOrPath, sp.GetService<ILoggerFactory>(), sp.GetService<TimeProvider>()));
        services.AddSingleton<IBrokerStore>(sp => sp.GetRequiredService<BrokerStore>());
        services.AddSingleton<IAuditLog>(sp => sp.GetRequiredService<BrokerStore>());
        services.AddSingleton<IResourceLock>(sp => sp.GetRequiredService<BrokerStore>());
        return services;
    }
}
