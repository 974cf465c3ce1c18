using AgentAccessBroker.Actions;
using AgentAccessBroker.Connectors.Aws;
using AgentAccessBroker.Connectors.Azure;
using AgentAccessBroker.Connectors.GitHub;
using AgentAccessBroker.Connectors.PostgreSql;
using Microsoft.Extensions.DependencyInjection;

namespace AgentAccessBroker.IntentAnalysis.Tests;

/// <summary>The shipped connectors' action vocabularies, taken from their own registrations as the broker takes them.</summary>
internal static class TestVocabularies
{
    public static ActionVocabularies All { get; } = Registered();

    public static IActionVocabulary Aws => All.For("aws");

    public static IActionVocabulary Azure => All.For("azure");

    public static IActionVocabulary PostgreSql => All.For("postgresql");

    public static IActionVocabulary GitHub => All.For("github");

    private static ActionVocabularies Registered()
    {
        var services = new ServiceCollection();
        services.AddAwsConnector();
        services.AddAzureConnector();
        services.AddPostgresConnector();
        services.AddGitHubConnector();
        using var provider = services.BuildServiceProvider();
        return new ActionVocabularies(provider.GetServices<IActionVocabulary>());
    }
}
