using AgentAccessBroker.Policy;

namespace AgentAccessBroker.IntentAnalysis.Tests;

/// <summary>The scenario suite and its policy, loaded with the real YAML policy loader.</summary>
internal static class ScenarioFiles
{
    private static readonly Lazy<BrokerPolicy> LazyPolicy = new(() => LoadPolicy(PolicyPath));
    private static readonly Lazy<BrokerPolicy> LazyBlindPolicy = new(() => LoadPolicy(Path.Combine(Directory, "blind", "blind-policy.yaml")));
    private static readonly Lazy<BrokerPolicy> LazyBlind2Policy = new(() => LoadPolicy(Path.Combine(Directory, "blind-2", "blind2-policy.yaml")));
    private static readonly Lazy<BrokerPolicy> LazyBlind2GitHubPolicy = new(() => LoadPolicy(Path.Combine(Directory, "blind-2", "blind2-github-policy.yaml")));
    private static readonly Lazy<BrokerPolicy> LazyBlind3Policy = new(() => LoadPolicy(Path.Combine(Directory, "blind-3", "blind3-policy.yaml")));
    private static readonly Lazy<BrokerPolicy> LazyBlind4Policy = new(() => LoadPolicy(Path.Combine(Directory, "blind-4", "blind4-policy.yaml")));
    private static readonly Lazy<BrokerPolicy> LazyBlind5Policy = new(() => LoadPolicy(Path.Combine(Directory, "blind-5", "blind5-policy.yaml")));

    public static string Directory => Path.Combine(AppContext.BaseDirectory, "Scenarios");

    public static string PolicyPath => Path.Combine(Directory, "scenario-policy.yaml");

    public static string SuitePath => Path.Combine(Directory, "scenarios.jsonl");

    public static BrokerPolicy Policy => LazyPolicy.Value;

    public static string[] SuiteLines => File.ReadAllLines(SuitePath);

    /// <summary>The blind set (issue #30): scenarios and policy written by someone who had not read the analyzer.</summary>
    public static BrokerPolicy BlindPolicy => LazyBlindPolicy.Value;

    public static string[] BlindLines => File.ReadAllLines(Path.Combine(Directory, "blind", "blind-scenarios.jsonl"));

    /// <summary>The second blind set (issue #30, a hospital network): its AWS, Azure and PostgreSQL scenarios.</summary>
    public static BrokerPolicy Blind2Policy => LazyBlind2Policy.Value;

    public static string[] Blind2Lines => File.ReadAllLines(Path.Combine(Directory, "blind-2", "blind2-scenarios.jsonl"));

    /// <summary>The second blind set's GitHub scenarios, under their own policy.</summary>
    public static BrokerPolicy Blind2GitHubPolicy => LazyBlind2GitHubPolicy.Value;

    public static string[] Blind2GitHubLines => File.ReadAllLines(Path.Combine(Directory, "blind-2", "blind2-github-scenarios.jsonl"));

    /// <summary>The third blind set (a freight forwarder; AWS, Azure, PostgreSQL and GitHub under one policy).</summary>
    public static BrokerPolicy Blind3Policy => LazyBlind3Policy.Value;

    public static string[] Blind3Lines => File.ReadAllLines(Path.Combine(Directory, "blind-3", "blind3-scenarios.jsonl"));

    /// <summary>The fourth blind set (a water utility; AWS, Azure, PostgreSQL and GitHub under one policy).</summary>
    public static BrokerPolicy Blind4Policy => LazyBlind4Policy.Value;

    public static string[] Blind4Lines => File.ReadAllLines(Path.Combine(Directory, "blind-4", "blind4-scenarios.jsonl"));

    /// <summary>The fifth blind set (a motor and home insurer; AWS, Azure, PostgreSQL and GitHub under one policy).</summary>
    public static BrokerPolicy Blind5Policy => LazyBlind5Policy.Value;

    public static string[] Blind5Lines => File.ReadAllLines(Path.Combine(Directory, "blind-5", "blind5-scenarios.jsonl"));

    private static BrokerPolicy LoadPolicy(string path)
    {
        // Connector settings are the connectors' business; the suite only needs the catalogue, rules and thresholds.
        var result = PolicyLoader.LoadFile(path, _ => []);
        return result.Policy ?? throw new InvalidOperationException("scenario policy invalid: " + string.Join("; ", result.Problems));
    }
}
