using System.Collections.Concurrent;
using AgentAccessBroker.Policy;

namespace AgentAccessBroker.IntentAnalysis.Tests;

/// <summary>The scenario suite and its policy, loaded with the real YAML policy loader.</summary>
internal static class ScenarioFiles
{
    private static readonly Lazy<BrokerPolicy> LazyPolicy = new(() => LoadPolicy(PolicyPath));
    private static readonly ConcurrentDictionary<string, BrokerPolicy> BlindPolicies = new(StringComparer.Ordinal);

    public static string Directory => Path.Combine(AppContext.BaseDirectory, "Scenarios");

    public static string PolicyPath => Path.Combine(Directory, "scenario-policy.yaml");

    public static string SuitePath => Path.Combine(Directory, "scenarios.jsonl");

    public static BrokerPolicy Policy => LazyPolicy.Value;

    public static string[] SuiteLines => File.ReadAllLines(SuitePath);

    /// <summary>
    /// A blind set of issue #30 (<c>blind-4</c>: a water utility, see its README): its policy and scenario lines, read
    /// from <c>Scenarios/{folder}/{stem}-policy.yaml</c> and <c>{stem}-scenarios.jsonl</c>.
    /// </summary>
    public static (BrokerPolicy Policy, string[] Lines) BlindSet(string folder, string stem) =>
        (BlindPolicies.GetOrAdd(Path.Combine(Directory, folder, stem + "-policy.yaml"), LoadPolicy),
         File.ReadAllLines(Path.Combine(Directory, folder, stem + "-scenarios.jsonl")));

    private static BrokerPolicy LoadPolicy(string path)
    {
        // Connector settings are the connectors' business; the suite only needs the catalogue, rules and thresholds.
        var result = PolicyLoader.LoadFile(path, _ => []);
        return result.Policy ?? throw new InvalidOperationException("scenario policy invalid: " + string.Join("; ", result.Problems));
    }
}
