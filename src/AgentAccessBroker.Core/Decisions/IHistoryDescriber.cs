using AgentAccessBroker.Actions;
using AgentAccessBroker.Domain;

namespace AgentAccessBroker.Decisions;

/// <summary>
/// Describes a decided request the way the behaviour history remembers it (action classes, chain signals, normalised
/// purpose), with the same rules the assessor uses to read history back. Pure.
/// </summary>
public interface IHistoryDescriber
{
    HistoryOutcome Describe(AccessRequest request, IActionVocabulary vocabulary, IReadOnlyList<ResolvedResource> resources, string? taskEnvironment, DecisionKind decision, DateTimeOffset at);
}
