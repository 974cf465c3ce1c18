using AgentAccessBroker.Policy;

namespace AgentAccessBroker.IntentAnalysis.Tests;

/// <summary>The scenario suite and its policy, loaded with the real YAML policy loader.</summary>
internal static class ScenarioFiles
{
    private static readonly Lazy<BrokerPolicy> LazyPolicy = new(LoadPolicy);

    public static string Directory => Path.Combine(AppContext.BaseDirectory, "Scenarios");

    public static string PolicyPath => Path.Combine(Directory, "scenario-policy.yaml");

    public static string SuitePath => Path.Combine(Directory, "scenarios.jsonl");

    public static BrokerPolicy Policy => LazyPolicy.Value;

    public static string[] SuiteLines => File.ReadAllLines(SuitePath);

    private static BrokerPolicy LoadPolicy()
    {
        // Connector settings are the connectors' business; the suite only needs the catalogue, rules and thresholds.
        var result = PolicyLoader.LoadFile(PolicyPath, _ => []);
        return result.Policy ?? throw new InvalidOperationException("scenario policy invalid: " + string.Join("; ", result.Problems));
    }
}
