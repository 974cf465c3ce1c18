using AgentAccessBroker.Actions;
using AgentAccessBroker.Decisions;
using AgentAccessBroker.Domain;

namespace AgentAccessBroker.IntentAnalysis.Classification;

/// <summary>
/// Recognises what an action does through the vocabulary of the target's connector (<see cref="IActionVocabulary"/>),
/// and adds the rules that hold for every connector: an empty action is unrecognised, <c>*</c> is every action, and
/// anything the vocabulary does not know is an unrecognised write (a wildcard when it holds a <c>*</c>). Pure.
/// </summary>
/// <remarks>
/// Security contract: anything that is not recognised is scored at least as a write and flagged
/// <see cref="ActionTraits.Unrecognised"/>; any <c>*</c> the vocabulary does not place is a wildcard.
/// </remarks>
public static class ActionClassifier
{
    /// <summary>The class of one action.</summary>
    public static ActionClass Classify(IActionVocabulary vocabulary, string action) => Describe(vocabulary, action).Class;

    /// <summary>The most risky class among the actions; <see cref="ActionClass.Read"/> when there are none.</summary>
    public static ActionClass Highest(IActionVocabulary vocabulary, IReadOnlyList<string> actions)
    {
        var top = ActionClass.Read;
        for (var i = 0; i < actions.Count; i++)
        {
            var c = Classify(vocabulary, actions[i]);
            if (c > top)
            {
                top = c;
            }
        }

        return top;
    }

    /// <summary>Class and traits of one action.</summary>
    public static ClassifiedAction Describe(IActionVocabulary vocabulary, string action)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        var a = action.AsSpan().Trim();
        if (a.IsEmpty)
        {
            return new(action, ActionClass.Write, ActionTraits.Unrecognised);
        }

        if (a.Length == 1 && a[0] == '*')
        {
            return new(action, ActionClass.Wildcard, AllTraits);
        }

        if (vocabulary.Classify(action) is { } known)
        {
            return known;
        }

        return new(action, a.Contains('*') ? ActionClass.Wildcard : ActionClass.Write, a.Contains('*') ? AllTraits : ActionTraits.Unrecognised);
    }

    /// <summary>
    /// The chain markers a request raises (see <see cref="ChainSignals"/>): what its actions do, what data it touches,
    /// which environments it reaches and where it reads secrets. Sorted, without duplicates.
    /// </summary>
    public static IReadOnlyList<string> Signals(IActionVocabulary vocabulary, IReadOnlyList<string> actions, IReadOnlyList<ResolvedResource> resources, string? taskEnvironment)
    {
        var traits = ActionTraits.None;
        var readsOrWritesData = false;
        for (var i = 0; i < actions.Count; i++)
        {
            var d = Describe(vocabulary, actions[i]);
            traits |= d.Traits;
            readsOrWritesData |= d.Has(ActionTraits.DataAccess) || d.Class == ActionClass.Wildcard;
        }

        var signals = new SortedSet<string>(StringComparer.Ordinal);
        var secretRead = traits.HasFlag(ActionTraits.SecretRead);
        var anyEnvironment = false;
        foreach (var resource in resources)
        {
            var tags = resource.Catalogue?.Tags ?? [];
            var taggedSecret = tags.Contains("secrets", StringComparer.OrdinalIgnoreCase);
            if (taggedSecret && readsOrWritesData)
            {
                secretRead = true;
            }

            var env = EnvironmentName.Normalise(resource.Catalogue?.Environment) ?? EnvironmentName.Normalise(taskEnvironment);
            if (env is null)
            {
                continue;
            }

            anyEnvironment = true;
            signals.Add(ChainSignals.Environment(env));
            if (traits.HasFlag(ActionTraits.SecretRead) || (taggedSecret && readsOrWritesData))
            {
                signals.Add(ChainSignals.SecretReadIn(env));
            }
        }

        if (!anyEnvironment && EnvironmentName.Normalise(taskEnvironment) is { } taskEnv)
        {
            signals.Add(ChainSignals.Environment(taskEnv));
            if (secretRead)
            {
                signals.Add(ChainSignals.SecretReadIn(taskEnv));
            }
        }

        Add(signals, traits, ActionTraits.IdentityCreate, ChainSignals.IdentityCreated);
        Add(signals, traits, ActionTraits.PolicyAttach, ChainSignals.PolicyAttached);
        Add(signals, traits, ActionTraits.NetworkOpen, ChainSignals.NetworkOpened);
        Add(signals, traits, ActionTraits.LoggingWeaken, ChainSignals.LoggingWeakened);
        if (secretRead)
        {
            signals.Add(ChainSignals.SecretRead);
        }

        if (readsOrWritesData)
        {
            signals.Add(ChainSignals.DataStoreAccessed);
        }

        return [.. signals];
    }

    private const ActionTraits AllTraits = ActionTraits.DataAccess | ActionTraits.IdentityCreate | ActionTraits.PolicyAttach
        | ActionTraits.NetworkOpen | ActionTraits.SecretRead | ActionTraits.LoggingWeaken;

    private static void Add(SortedSet<string> signals, ActionTraits traits, ActionTraits trait, string signal)
    {
        if ((traits & trait) != 0)
        {
            signals.Add(signal);
        }
    }
}
