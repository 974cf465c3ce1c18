using AgentAccessBroker.Domain;

namespace AgentAccessBroker.Decisions;

/// <summary>Describes a request for the behaviour history: action classes, chain signals, normalised purpose. Pure.</summary>
public interface IRequestTraits
{
    RequestTraits Describe(string connector, AccessRequest request);
}

/// <param name="Signals">Chain markers (<c>identity_created</c>, <c>logging_weakened</c>...).</param>
public sealed record RequestTraits(IReadOnlyList<ActionClass> ActionClasses, IReadOnlyList<string> Signals, string NormalisedPurpose);
