using AgentAccessBroker.Actions;
using AgentAccessBroker.Domain;
using AgentAccessBroker.Policy;

namespace AgentAccessBroker.Decisions;

/// <summary>Everything an assessment may look at. The assessor does no I/O and reads no clock: time is <see cref="Now"/>.</summary>
/// <param name="Resources">Each requested resource with the catalogue entry it matched (null when it matched none).</param>
/// <param name="Vocabulary">What the actions of the target's connector mean; an action it does not know is scored as unrecognised.</param>
public sealed record AssessmentInput(
    AccessRequest Request,
    BrokerTask Task,
    BrokerPolicy Policy,
    TargetPolicy Target,
    AgentPolicy? Agent,
    IReadOnlyList<ResolvedResource> Resources,
    BehaviourHistory History,
    DateTimeOffset Now,
    IActionVocabulary Vocabulary);

/// <summary>A requested resource and its catalogue entry.</summary>
public sealed record ResolvedResource(string Name, ResourcePolicy? Catalogue);
