using AgentAccessBroker.Actions;
using AgentAccessBroker.Connectors.Aws;
using AgentAccessBroker.Connectors.Azure;
using AgentAccessBroker.Connectors.PostgreSql;
using AgentAccessBroker.Connectors.Slack;
using AgentAccessBroker.Connectors.Teams;
using AgentAccessBroker.Credentials;

namespace AgentAccessBroker.Server.Hosting;

/// <summary>Every credential provider and approval channel the broker ships with.</summary>
public static class BrokerConnectorCatalog
{
    /// <summary>
    /// The composition root of the connectors: one line each. A connector registers its credential provider, its action
    /// vocabulary and its options, bound from its own section <c>Connectors:&lt;Name&gt;</c> of
    /// <paramref name="configuration"/> and validated at start-up.
    /// </summary>
    public static void Add(IServiceCollection services, IConfiguration configuration)
    {
        var connectors = configuration.GetSection("Connectors");
        services.AddPostgresConnector(connectors.GetSection("PostgreSql"));
        services.AddAzureConnector(connectors.GetSection("Azure"));
        services.AddAwsConnector(connectors.GetSection("Aws"));
    }

    /// <summary>
    /// Adds Slack approvals when a bot token is configured (<c>AAB_SLACK_BOT_TOKEN</c>); <c>AAB_SLACK_MODE</c> picks
    /// <c>http</c> (default), <c>socket</c> or <c>both</c>; <c>AAB_SLACK_API_URL</c> points at another Slack API base. A channel
    /// registers its own endpoints (<see cref="Approvals.IApprovalChannelEndpoints"/>), which the host maps.
    /// </summary>
    public static void AddApprovalChannels(IServiceCollection services)
    {
        AddTeamsChannel(services);
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

    /// <summary>
    /// Adds Teams approvals when <c>AAB_TEAMS_MODE</c> is <c>bot</c> or <c>workflows</c>. Bot mode reads
    /// <c>AAB_TEAMS_APP_ID</c>, <c>AAB_TEAMS_TENANT_ID</c>, <c>AAB_TEAMS_SERVICE_URL</c>, <c>AAB_TEAMS_CONVERSATION</c> and the
    /// secret <c>AAB_TEAMS_APP_PASSWORD</c>; Workflows mode reads <c>AAB_TEAMS_CONSOLE_URL</c> and the secret
    /// <c>AAB_TEAMS_WORKFLOWS_URL</c>. <c>AAB_TEAMS_OPENID_METADATA_URL</c> and <c>AAB_TEAMS_AUTHORITY_HOST</c> point at
    /// other Microsoft endpoints. Approvers are found by their <c>teams</c> identity (Entra object id) in the policy; the
    /// bot endpoint registers itself (<see cref="Approvals.IApprovalChannelEndpoints"/>).
    /// </summary>
    private static void AddTeamsChannel(IServiceCollection services)
    {
        var mode = Environment.GetEnvironmentVariable("AAB_TEAMS_MODE") switch
        {
            null or "" => (TeamsConnectionMode?)null,
            "bot" => TeamsConnectionMode.Bot,
            "workflows" => TeamsConnectionMode.Workflows,
            var other => throw new BrokerStartupException($"AAB_TEAMS_MODE '{other}' is not bot or workflows."),
        };
        if (mode is null)
        {
            return;
        }

        services.AddTeamsApprovals(o =>
        {
            o.Mode = mode.Value;
            o.AppId = Environment.GetEnvironmentVariable("AAB_TEAMS_APP_ID");
            o.TenantId = Environment.GetEnvironmentVariable("AAB_TEAMS_TENANT_ID");
            o.DefaultConversationId = Environment.GetEnvironmentVariable("AAB_TEAMS_CONVERSATION");
            o.ServiceUrl = OptionalUrl("AAB_TEAMS_SERVICE_URL") ?? o.ServiceUrl;
            o.ConsoleBaseUrl = OptionalUrl("AAB_TEAMS_CONSOLE_URL") ?? o.ConsoleBaseUrl;
            o.OpenIdMetadataUrl = OptionalUrl("AAB_TEAMS_OPENID_METADATA_URL") ?? o.OpenIdMetadataUrl;
            o.AuthorityHost = OptionalUrl("AAB_TEAMS_AUTHORITY_HOST") ?? o.AuthorityHost;
        });
    }

    private static Uri? OptionalUrl(string variable) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value
            ? Uri.TryCreate(value, UriKind.Absolute, out var uri) ? uri : throw new BrokerStartupException($"{variable} '{value}' is not a URL.")
            : null;

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
        Add(services, new ConfigurationBuilder().Build());
        using var provider = services.BuildServiceProvider();
        return pick(provider);
    }
}
