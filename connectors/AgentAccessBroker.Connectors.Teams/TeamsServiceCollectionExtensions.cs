using AgentAccessBroker.Approvals;
using AgentAccessBroker.Connectors.Teams.Api;
using AgentAccessBroker.Connectors.Teams.Auth;
using AgentAccessBroker.Connectors.Teams.Bot;
using AgentAccessBroker.Connectors.Teams.Workflows;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace AgentAccessBroker.Connectors.Teams;

public static class TeamsServiceCollectionExtensions
{
    /// <summary>
    /// Registers the Teams approval channel (<see cref="IApprovalChannel"/> named <c>teams</c>) in the mode
    /// <see cref="TeamsConnectorOptions.Mode"/> names. Options are validated at start-up. Votes go through the
    /// <see cref="IApprovalDesk"/> the host registers; secret references are resolved through the host's
    /// <c>ISecretResolver</c>. Approvers are found through the desk by their <c>teams</c> identity (Entra object id).
    /// In Bot mode the messaging endpoint is registered as an <see cref="IApprovalChannelEndpoints"/>, which the host
    /// maps; a host of its own can also call <see cref="TeamsEndpointRouteBuilderExtensions.MapTeamsBot"/>.
    /// </summary>
    public static IServiceCollection AddTeamsApprovals(this IServiceCollection services, Action<TeamsConnectorOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);

        services.AddOptions<TeamsConnectorOptions>().Configure(configure).ValidateOnStart();
        return AddChannel(services);
    }

    /// <summary>
    /// As <see cref="AddTeamsApprovals(IServiceCollection, Action{TeamsConnectorOptions})"/>, with the options bound from
    /// a configuration section (the broker's <c>Channels:Teams</c>). Secrets are bound only as references
    /// (<c>AppPasswordRef: env:NAME</c>); <c>Enabled</c> belongs to the host and is ignored here.
    /// </summary>
    public static IServiceCollection AddTeamsApprovals(this IServiceCollection services, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(section);

        services.AddOptions<TeamsConnectorOptions>().Bind(section).ValidateOnStart();
        return AddChannel(services);
    }

    private static IServiceCollection AddChannel(IServiceCollection services)
    {
        if (services.Any(d => d.ServiceType == typeof(TeamsApprovalChannel)))
        {
            return services;
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TeamsConnectorOptions>, TeamsConnectorOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        // The default HttpClient loggers write request URIs: a Workflows URL is a bearer capability.
        services.AddHttpClient(BotConnectorClient.HttpClientName).RemoveAllLoggers();
        services.AddHttpClient(EntraAppTokenSource.HttpClientName).RemoveAllLoggers();
        services.AddHttpClient(SigningKeyCache.HttpClientName).RemoveAllLoggers();
        services.AddHttpClient(WorkflowsWebhookSender.HttpClientName).RemoveAllLoggers();
        services.AddSingleton<TeamsSecrets>();
        services.AddSingleton<RetryingSender>();
        services.AddSingleton<EntraAppTokenSource>();
        services.AddSingleton<BotConnectorClient>();
        services.AddSingleton<WorkflowsWebhookSender>();
        services.AddSingleton<SigningKeyCache>();
        services.AddSingleton<BotFrameworkTokenValidator>();
        services.AddSingleton<TeamsApprovalChannel>();
        services.AddSingleton<IApprovalChannel>(sp => sp.GetRequiredService<TeamsApprovalChannel>());
        services.AddSingleton<TeamsBotEndpoint>();
        services.AddSingleton<IApprovalChannelEndpoints, TeamsChannelEndpoints>();
        return services;
    }
}
