using AgentAccessBroker.Actions;
using AgentAccessBroker.Decisions;
using AgentAccessBroker.Domain;
using AgentAccessBroker.IntentAnalysis.Classification;
using AgentAccessBroker.IntentAnalysis.Text;

namespace AgentAccessBroker.IntentAnalysis;

/// <summary>
/// Builds the <see cref="HistoryOutcome"/> that <see cref="HistoryFold.RecordOutcome"/> folds in: the action classes,
/// the chain signals and the normalised purpose are computed here, with the same classifier and text rules the
/// analyzer uses, so that what history remembers is exactly what the next assessment looks for.
/// </summary>
public static class HistoryOutcomes
{
    /// <summary>The outcome of an assessed request once it is finally decided (after any human decision).</summary>
    public static HistoryOutcome Describe(AssessmentInput input, DecisionKind finalDecision, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(input);
        return Describe(input.Request, input.Vocabulary, input.Resources, input.Task.Environment, finalDecision, at);
    }

    /// <summary>The outcome of a request, given its resources as resolved against the policy catalogue.</summary>
    public static HistoryOutcome Describe(AccessRequest request, IActionVocabulary vocabulary, IReadOnlyList<ResolvedResource> resources, string? taskEnvironment, DecisionKind finalDecision, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(resources);
        var classes = new ActionClass[request.Actions.Count];
        for (var i = 0; i < classes.Length; i++)
        {
            classes[i] = ActionClassifier.Classify(vocabulary, request.Actions[i]);
        }

        var signals = ActionClassifier.Signals(vocabulary, request.Actions, resources, taskEnvironment);
        return new HistoryOutcome(request, finalDecision, classes, signals, NormalisePurpose(request.Purpose), at);
    }

    /// <summary>The purpose as history stores it: sorted canonical words (stemmed, synonyms folded, stop words removed).</summary>
    public static string NormalisePurpose(string? purpose) => TextTerms.Of(purpose).Normalised();
}
