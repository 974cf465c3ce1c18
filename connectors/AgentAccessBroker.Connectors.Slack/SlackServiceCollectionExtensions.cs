using AgentAccessBroker.Approvals;
using AgentAccessBroker.Connectors.Slack.Api;
using AgentAccessBroker.Connectors.Slack.Interactivity;
using AgentAccessBroker.Connectors.Slack.SocketMode;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace AgentAccessBroker.Connectors.Slack;

public static class SlackServiceCollectionExtensions
{
    /// <summary>
    /// Registers the Slack approval channel (<see cref="IApprovalChannel"/> named <c>slack</c>), the background worker
    /// that turns clicks into votes, and the Socket Mode client (idle unless <see cref="SlackConnectorOptions.Mode"/>
    /// includes Socket Mode). Options are validated at start-up. Votes go through the <see cref="IApprovalDesk"/> the
    /// host registers; secret references are resolved through the host's <c>ISecretResolver</c>. The HTTP endpoint is
    /// registered as an <see cref="IApprovalChannelEndpoints"/>, which the host maps; a host of its own can also call
    /// <see cref="SlackEndpointRouteBuilderExtensions.MapSlackInteractivity"/>.
    /// </summary>
    public static IServiceCollection AddSlackApprovals(this IServiceCollection services, Action<SlackConnectorOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);

        services.AddOptions<SlackConnectorOptions>().Configure(configure).ValidateOnStart();
        return AddChannel(services);
    }

    /// <summary>
    /// As <see cref="AddSlackApprovals(IServiceCollection, Action{SlackConnectorOptions})"/>, with the options bound from
    /// a configuration section (the broker's <c>Channels:Slack</c>). Secrets are bound only as references
    /// (<c>BotTokenRef: env:NAME</c>); <c>Enabled</c> belongs to the host and is ignored here.
    /// </summary>
    public static IServiceCollection AddSlackApprovals(this IServiceCollection services, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(section);

        services.AddOptions<SlackConnectorOptions>().Bind(section).ValidateOnStart();
        return AddChannel(services);
    }

    private static IServiceCollection AddChannel(IServiceCollection services)
    {
        if (services.Any(d => d.ServiceType == typeof(SlackApprovalChannel)))
        {
            return services;
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SlackConnectorOptions>, SlackConnectorOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        // The default HttpClient loggers write request URIs, and a response_url path is a bearer capability.
        services.AddHttpClient(SlackApiClient.HttpClientName).RemoveAllLoggers();
        services.AddSingleton<SlackSecrets>();
        services.AddSingleton<SlackApiClient>();
        services.AddSingleton<SlackApprovalChannel>();
        services.AddSingleton<IApprovalChannel>(sp => sp.GetRequiredService<SlackApprovalChannel>());
        services.AddSingleton<SlackInteractionQueue>();
        services.AddSingleton<SlackInteractionProcessor>();
        services.AddSingleton<SlackInteractivityEndpoint>();
        services.AddSingleton<IApprovalChannelEndpoints, SlackChannelEndpoints>();
        services.AddHostedService<SlackInteractionWorker>();
        services.AddHostedService<SlackSocketModeClient>();
        return services;
    }
}
