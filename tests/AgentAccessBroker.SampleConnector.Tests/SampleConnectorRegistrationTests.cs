using AgentAccessBroker.Actions;
using AgentAccessBroker.Connectors.Aws;
using AgentAccessBroker.Connectors.PostgreSql;
using AgentAccessBroker.Credentials;
using AgentAccessBroker.Domain;
using AgentAccessBroker.IntentAnalysis.Classification;
using AgentAccessBroker.Policy;
using AgentAccessBroker.SampleConnector.Connector;
using AgentAccessBroker.Server.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AgentAccessBroker.SampleConnector.Tests;

/// <summary>
/// A connector the broker has never heard of plugs in with its project, its .sln entry and one registration line next
/// to the host's catalogue: its provider, its action vocabulary and its options from <c>Connectors:Sample</c>.
/// </summary>
public sealed class SampleConnectorRegistrationTests
{
    private const string PolicyYaml = """
        version: 1
        agents: [{ id: agent-a, owner: alice }]
        approver_groups: [{ name: ops, members: [{ id: bob }] }]
        targets:
          - name: notes
            connector: sample
            approvers: ops
            settings: { directory: /tmp/notes }
            resources:
              - { name: "notes/*", sensitivity: low, environment: dev }
        """;

    [Fact]
    public void AddSampleConnector_OneLineNextToTheCatalog_BrokerKnowsItsProviderVocabularyAndOptions()
    {
        using var services = Host(new Dictionary<string, string?> { ["Connectors:Sample:TokenBytes"] = "24" });

        var registry = new CredentialProviderRegistry(services.GetServices<ICredentialProvider>());
        var vocabularies = new ActionVocabularies(services.GetServices<IActionVocabulary>());
        var loaded = PolicyLoader.Load(PolicyYaml, "sample.yaml", PolicyLoader.ValidatorFor(registry));

        Assert.Contains("sample", registry.Names);
        Assert.Contains("postgresql", registry.Names);
        Assert.Empty(loaded.Problems);
        Assert.Equal(24, services.GetRequiredService<IOptions<SampleConnectorOptions>>().Value.TokenBytes);
        Assert.Equal(ActionClass.Write, ActionClassifier.Describe(vocabularies.For("sample"), "write").Class);
        Assert.False(ActionClassifier.Describe(vocabularies.For("sample"), "write").Has(ActionTraits.Unrecognised));
        Assert.True(ActionClassifier.Describe(vocabularies.For("sample"), "delete").Has(ActionTraits.Unrecognised));
    }

    [Fact]
    public void AddSampleConnector_InvalidOptions_ValidationNamesTheKey()
    {
        using var services = Host(new Dictionary<string, string?> { ["Connectors:Sample:TokenBytes"] = "4" });

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<SampleConnectorOptions>>().Value);

        Assert.Contains("Connectors:Sample:TokenBytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckRequest_ActionOutsideItsVocabulary_RefusedBeforeAnythingIsCreated()
    {
        using var services = Host([]);
        var provider = new CredentialProviderRegistry(services.GetServices<ICredentialProvider>()).Get("sample");
        var target = new TargetSettings("notes", "sample", new Dictionary<string, string> { ["directory"] = "/tmp/notes" }, new Dictionary<string, SecretReference>());
        var now = DateTimeOffset.UnixEpoch;

        var error = Assert.Throws<CredentialRequestException>(() => provider.CheckRequest(new MintRequest("lease-1", "task-1", "agent-a", target, ["notes/a"], ["delete"], now, now.AddMinutes(5))));

        Assert.True(error.NothingCreated);
    }

    [Fact]
    public void Add_ShippedConnectors_BindTheirOwnSectionsAndValidateThem()
    {
        using var services = Host(new Dictionary<string, string?>
        {
            ["Connectors:PostgreSql:ApplicationName"] = "aab-node-2",
            ["Connectors:Aws:MaxRetryAttempts"] = "99",
        });

        Assert.Equal("aab-node-2", services.GetRequiredService<IOptions<PostgresConnectorOptions>>().Value.ApplicationName);
        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<AwsConnectorOptions>>().Value);
        Assert.Contains("MaxRetryAttempts", error.Message, StringComparison.Ordinal);
    }

    /// <summary>The host's composition of connectors plus the sample's one line.</summary>
    private static ServiceProvider Host(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<ISecretResolver, EnvironmentAndFileSecretResolver>();
        BrokerConnectorCatalog.Add(services, configuration);
        services.AddSampleConnector(configuration.GetSection("Connectors:Sample"));
        return services.BuildServiceProvider();
    }
}
