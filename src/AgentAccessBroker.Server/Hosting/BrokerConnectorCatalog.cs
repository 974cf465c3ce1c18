using AgentAccessBroker.Actions;
using AgentAccessBroker.Connectors.Aws;
using AgentAccessBroker.Connectors.Azure;
using AgentAccessBroker.Connectors.GitHub;
using AgentAccessBroker.Connectors.PostgreSql;
using AgentAccessBroker.Connectors.Slack;
using AgentAccessBroker.Credentials;

namespace AgentAccessBroker.Server.Hosting;

/// <summary>Every credential provider and approval channel the broker ships with.</summary>
public static class BrokerConnectorCatalog
{
    public static void Add(IServiceCollection services)
    {
        services.AddPostgresConnector();
        services.AddAzureConnector();
        services.AddAwsConnector();
        services.AddGitHubConnector();
    }

    /// <summary>
    /// Adds Slack approvals when a bot token is configured (<c>AAB_SLACK_BOT_TOKEN</c>); <c>AAB_SLACK_MODE</c> picks
    /// <c>http</c> (default), <c>socket</c> or <c>both</c>; <c>AAB_SLACK_API_URL</c> points at another Slack API base. A channel
    /// registers its own endpoints (<see cref="Approvals.IApprovalChannelEndpoints"/>), which the host maps.
    /// </summary>
    public static void AddApprovalChannels(IServiceCollection services)
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("AAB_SLACK_BOT_TOKEN")))
        {
            return;
        }

        var mode = Environment.GetEnvironmentVariable("AAB_SLACK_MODE") switch
        {
            null or "" or "http" => SlackConnectionMode.Http,
            "socket" => SlackConnectionMode.SocketMode,
            "both" => SlackConnectionMode.Both,
            var other => throw new BrokerStartupException($"AAB_SLACK_MODE '{other}' is not http, socket or both."),
        };
        services.AddSlackApprovals(o =>
        {
            o.Mode = mode;
            o.DefaultChannel = Environment.GetEnvironmentVariable("AAB_SLACK_DEFAULT_CHANNEL");
            if (Environment.GetEnvironmentVariable("AAB_SLACK_API_URL") is { Length: > 0 } api)
            {
                o.ApiBaseUrl = Uri.TryCreate(api, UriKind.Absolute, out var uri) ? uri : throw new BrokerStartupException($"AAB_SLACK_API_URL '{api}' is not a URL.");
            }
        });
    }

    /// <summary>A registry of all providers, for validating policies outside a running broker (<c>aab policy check</c>).</summary>
    public static CredentialProviderRegistry Registry() => Offline(sp => new CredentialProviderRegistry(sp.GetServices<ICredentialProvider>()));

    /// <summary>The connectors' action vocabularies as the broker registers them, for <c>aab simulate</c>.</summary>
    public static ActionVocabularies Vocabularies() => Offline(sp => new ActionVocabularies(sp.GetServices<IActionVocabulary>()));

    private static T Offline<T>(Func<IServiceProvider, T> pick)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<ISecretResolver, EnvironmentAndFileSecretResolver>();
        Add(services);
        using var provider = services.BuildServiceProvider();
        return pick(provider);
    }
}
