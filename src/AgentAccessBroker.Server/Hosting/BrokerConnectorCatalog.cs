using AgentAccessBroker.Actions;
using AgentAccessBroker.Connectors.Aws;
using AgentAccessBroker.Connectors.Azure;
using AgentAccessBroker.Connectors.GitHub;
using AgentAccessBroker.Connectors.PostgreSql;
using AgentAccessBroker.Connectors.Slack;
using AgentAccessBroker.Connectors.Teams;
using AgentAccessBroker.Credentials;

namespace AgentAccessBroker.Server.Hosting;

/// <summary>Every credential provider and approval channel the broker ships with.</summary>
public static class BrokerConnectorCatalog
{
    /// <summary>The configuration section a connector binds its options from: <c>Connectors:&lt;Name&gt;</c>.</summary>
    public const string ConnectorsSection = "Connectors";

    /// <summary>The configuration section an approval channel binds its options from: <c>Channels:&lt;Name&gt;</c>.</summary>
    public const string ChannelsSection = "Channels";

    /// <summary>Adds the connectors with no configuration (their defaults), as <c>aab policy check</c> needs them.</summary>
    public static void Add(IServiceCollection services) => Add(services, new ConfigurationBuilder().Build());

    /// <summary>
    /// The composition root of the connectors: one line each. A connector registers its credential provider, its action
    /// vocabulary and its options, bound from its own section <c>Connectors:&lt;Name&gt;</c> of
    /// <paramref name="configuration"/> and validated at start-up.
    /// </summary>
    public static void Add(IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var connectors = configuration.GetSection(ConnectorsSection);
        services.AddPostgresConnector(connectors.GetSection("PostgreSql"));
        services.AddAzureConnector(connectors.GetSection("Azure"));
        services.AddAwsConnector(connectors.GetSection("Aws"));
        services.AddGitHubConnector(connectors.GetSection("GitHub"));
    }

    /// <summary>
    /// Adds each approval channel whose <c>Channels:&lt;Name&gt;:Enabled</c> is true, bound from its section
    /// (<c>Channels:Slack</c>, whose older <c>AAB_SLACK_*</c> variables map onto it, see <see cref="BrokerConfiguration"/>;
    /// <c>Channels:Teams</c>).
    /// A channel registers its own endpoints (<see cref="Approvals.IApprovalChannelEndpoints"/>), which the host maps.
    /// </summary>
    /// <param name="problems">Where a channel's unusable <c>Enabled</c> value is reported; null to throw instead.</param>
    public static void AddApprovalChannels(IServiceCollection services, IConfiguration configuration, ICollection<string>? problems = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var channels = configuration.GetSection(ChannelsSection);
        if (channels.GetSection("Slack") is var slack && Enabled(slack, problems))
        {
            services.AddSlackApprovals(slack);
        }

        if (channels.GetSection("Teams") is var teams && Enabled(teams, problems))
        {
            services.AddTeamsApprovals(teams);
        }
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

    private static bool Enabled(IConfigurationSection channel, ICollection<string>? problems)
    {
        var value = channel["Enabled"];
        if (value is null || bool.TryParse(value, out var enabled) && !enabled)
        {
            return false;
        }

        if (bool.TryParse(value, out _))
        {
            return true;
        }

        var problem = $"{channel.Path}:Enabled: '{value}' is not true or false.";
        if (problems is null)
        {
            throw new BrokerStartupException(problem);
        }

        problems.Add(problem);
        return false;
    }
}
