namespace AgentAccessBroker.Actions;

/// <summary>
/// What one connector's actions mean, for the intent analyzer: the connector contributes it, the analyzer receives the
/// target's vocabulary in its input and stays a pure function.
/// </summary>
/// <remarks>
/// Security contract: <see cref="Classify"/> never classifies an action lower than the worst thing it can do (a role
/// that can read keys is a privilege change, not a read), and returns null for anything it does not know; the analyzer
/// then scores the action as an unrecognised write. Pure: no I/O, no clock, no state.
/// </remarks>
public interface IActionVocabulary
{
    /// <summary>The connector name policy targets use (<c>connector: aws</c>), as its credential provider's.</summary>
    string Connector { get; }

    /// <summary>The actions this connector can mint when it can list them (PostgreSQL privileges); empty when open-ended.</summary>
    IReadOnlyList<string> MintableActions { get; }

    /// <summary>Class and traits of one action (trimmed, never empty, never a lone <c>*</c>); null when it is not in this vocabulary.</summary>
    ClassifiedAction? Classify(string action);

    /// <summary>Read-only actions of this connector on the same resources, offered in a narrower request; empty when none.</summary>
    IReadOnlyList<string> ReadCounterparts(string action);

    /// <summary>True when <paramref name="resource"/> is written in this connector's resource syntax (an ARN, an Azure scope, <c>db.schema.table</c>).</summary>
    bool RecognisesResource(string resource);

    /// <summary>
    /// False when <paramref name="action"/> cannot act on <paramref name="resource"/> (an action of one service on a
    /// resource of another); used to drop actions from a narrower request. True when the vocabulary cannot tell.
    /// </summary>
    bool ActsOn(string action, string resource) => true;

    /// <summary>
    /// True when <paramref name="resource"/> is part of a query service itself (its workgroup, its data catalogue), which
    /// every query the service runs uses; false when the vocabulary cannot tell.
    /// </summary>
    bool IsQueryEngine(string resource) => false;
}
