using AgentAccessBroker.Actions;
using AgentAccessBroker.Decisions;
using AgentAccessBroker.Domain;

namespace AgentAccessBroker.IntentAnalysis;

/// <summary>The broker's history describer: <see cref="HistoryOutcomes"/>, so history and assessment share one classifier.</summary>
public sealed class HistoryDescriber : IHistoryDescriber
{
    public HistoryOutcome Describe(AccessRequest request, IActionVocabulary vocabulary, IReadOnlyList<ResolvedResource> resources, string? taskEnvironment, DecisionKind decision, DateTimeOffset at) =>
        HistoryOutcomes.Describe(request, vocabulary, resources, taskEnvironment, decision, at);
}
