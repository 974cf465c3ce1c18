using AgentAccessBroker.Policy;

namespace AgentAccessBroker.IntentAnalysis.Simulation;

/// <summary>One scenario file for <see cref="ScenarioSimulator"/>: its name in the report, the policy its scenarios are judged under, and its lines.</summary>
public sealed record ScenarioSource(string Name, BrokerPolicy Policy, IEnumerable<string> Lines);
