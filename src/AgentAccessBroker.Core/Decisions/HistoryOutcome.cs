using AgentAccessBroker.Domain;

namespace AgentAccessBroker.Decisions;

/// <summary>One decided request, as it is folded into the history aggregates.</summary>
/// <param name="Decision">What was finally decided (after any human decision).</param>
/// <param name="ActionClasses">The class of every requested action.</param>
/// <param name="Signals">Chain markers this request raises.</param>
public sealed record HistoryOutcome(
    AccessRequest Request,
    DecisionKind Decision,
    IReadOnlyList<ActionClass> ActionClasses,
    IReadOnlyList<string> Signals,
    string NormalisedPurpose,
    DateTimeOffset At);
