using AgentAccessBroker.Actions;
using AgentAccessBroker.Decisions;
using AgentAccessBroker.Domain;
using AgentAccessBroker.IntentAnalysis.Classification;
using AgentAccessBroker.Policy;

namespace AgentAccessBroker.IntentAnalysis.Scoring;

/// <summary>
/// Looks for a narrower request that would be granted automatically: fewer resources (only those in the task, named
/// ones instead of wildcards), read instead of write, fewer actions, a shorter duration. Every candidate is re-assessed
/// with the same pure function, so a suggestion is offered only when it really would be granted.
/// </summary>
internal static class NarrowerRequestFinder
{
    public static SuggestedRequest? Find(AssessmentInput input, RequestFacts facts, Func<AssessmentInput, Assessment> assess)
    {
        var request = input.Request;
        if (request.Resources.Count == 0 || request.Actions.Count == 0)
        {
            return null;
        }

        var narrowResources = NarrowResources(input, facts);
        var reads = ReadOnlyActions(input.Vocabulary, request.Actions);
        var known = KnownResources(facts);

        var candidates = new List<(IReadOnlyList<string> Resources, IReadOnlyList<string> Actions)>(6)
        {
            (request.Resources, request.Actions),
            (narrowResources, RelevantActions(input.Vocabulary, request.Actions, narrowResources)),
            (known, RelevantActions(input.Vocabulary, reads, known)),
            (narrowResources, RelevantActions(input.Vocabulary, reads, narrowResources)),
        };
        if (narrowResources.Count > 1)
        {
            candidates.Add(([narrowResources[0]], RelevantActions(input.Vocabulary, reads, [narrowResources[0]])));
        }

        // No narrow resources when none is in the catalogue: there is nothing to narrow to.
        if (reads.Count > 1 && narrowResources.Count > 0)
        {
            candidates.Add(([narrowResources[0]], [RelevantActions(input.Vocabulary, reads, [narrowResources[0]])[0]]));
        }

        // The agent will send the suggestion after this denial is on record, so judge it against that history:
        // a suggestion is a promise, and it must still hold once the denial counts.
        var afterDenial = HistoryFold.RecordOutcome(
            HistoryFold.RecordRequest(input.History, input.Now), HistoryOutcomes.Describe(input, DecisionKind.Deny, input.Now), humanReviewMode: false);
        var tried = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (resources, actions) in candidates)
        {
            if (resources.Count == 0 || actions.Count == 0)
            {
                continue;
            }

            var resolved = RequestFacts.Resolve(input.Target, resources);
            var duration = NormalDurationFor(input, resolved, request.RequestedDuration);
            if (SameAsRequest(request, resources, actions, duration) || !tried.Add(string.Join('\n', resources) + "\t" + string.Join('\n', actions) + "\t" + duration.Ticks))
            {
                continue;
            }

            var candidate = input with
            {
                Request = request with { Resources = resources, Actions = actions, RequestedDuration = duration },
                Resources = resolved,
                History = afterDenial,
            };
            var verdict = assess(candidate);
            if (verdict.Decision == DecisionKind.Grant)
            {
                return new SuggestedRequest(resources, actions, duration, Explain(input.Vocabulary, request, resources, actions, duration, verdict.Score));
            }
        }

        return null;
    }

    /// <summary>The requested duration, shortened to the normal duration of the candidate's most sensitive resource.</summary>
    private static TimeSpan NormalDurationFor(AssessmentInput input, List<ResolvedResource> resources, TimeSpan requested)
    {
        if (!input.Policy.Sensitivities.TryGetValue(RequestFacts.HighestSensitivity(resources), out var rules) || rules.NormalDuration <= TimeSpan.Zero)
        {
            return requested;
        }

        return requested > TimeSpan.Zero && requested < rules.NormalDuration ? requested : rules.NormalDuration;
    }

    /// <summary>
    /// Drops actions the target's vocabulary says act on none of the resources (a storage action once only a log group
    /// is left); keeps everything when that would leave nothing.
    /// </summary>
    private static List<string> RelevantActions(IActionVocabulary vocabulary, IReadOnlyList<string> actions, IReadOnlyList<string> resources)
    {
        var relevant = new List<string>(actions.Count);
        foreach (var action in actions)
        {
            if (resources.Any(r => vocabulary.ActsOn(action, r)))
            {
                relevant.Add(action);
            }
        }

        return relevant.Count > 0 ? relevant : [.. actions];
    }

    private static bool SameAsRequest(AccessRequest request, IReadOnlyList<string> resources, IReadOnlyList<string> actions, TimeSpan duration) =>
        duration == request.RequestedDuration && resources.SequenceEqual(request.Resources, StringComparer.Ordinal)
                                              && actions.SequenceEqual(request.Actions, StringComparer.Ordinal);

    private static List<string> KnownResources(RequestFacts facts)
    {
        var list = new List<string>(facts.Resources.Length);
        foreach (var r in facts.Resources)
        {
            if (r.Catalogue is not null)
            {
                list.Add(r.Name);
            }
        }

        return list;
    }

    /// <summary>Known resources that the task covers, with wildcards replaced by the best matching named catalogue entry.</summary>
    private static List<string> NarrowResources(AssessmentInput input, RequestFacts facts)
    {
        var inScope = new List<string>(facts.Resources.Length);
        var all = new List<string>(facts.Resources.Length);
        foreach (var r in facts.Resources)
        {
            if (r.Catalogue is null)
            {
                continue;
            }

            var name = r.Wildcard ? NamedInstead(input, facts, r.Name) ?? r.Name : r.Name;
            if (!all.Contains(name, StringComparer.Ordinal))
            {
                all.Add(name);
                if (PurposeFactors.InScope(r, facts) || (r.Wildcard && name != r.Name))
                {
                    inScope.Add(name);
                }
            }
        }

        return inScope.Count > 0 ? inScope : all;
    }

    /// <summary>A named (non-glob) catalogue entry covered by the requested wildcard, preferring ones the task or purpose names.</summary>
    private static string? NamedInstead(AssessmentInput input, RequestFacts facts, string wildcard)
    {
        var glob = new ResourcePolicy(wildcard, Sensitivity.Low, string.Empty, [], null);
        string? best = null;
        var bestScore = int.MinValue;
        foreach (var entry in input.Target.Resources)
        {
            if (entry.Pattern.Contains('*', StringComparison.Ordinal) || !glob.Matches(entry.Pattern))
            {
                continue;
            }

            var terms = Text.TextTerms.Of([entry.Pattern, entry.Description]);
            var mentions = 0;
            foreach (var word in terms.Distinctive)
            {
                if (facts.Task.Terms.Distinctive.Contains(word) || facts.Purpose.Distinctive.Contains(word))
                {
                    mentions++;
                }
            }

            // Mentioned by the task first, then the least sensitive, then by name for a stable choice.
            var score = (mentions * 10) - (int)entry.Sensitivity;
            if (score > bestScore || (score == bestScore && string.CompareOrdinal(entry.Pattern, best) < 0))
            {
                best = entry.Pattern;
                bestScore = score;
            }
        }

        return best;
    }

    /// <summary>The requested actions that only read, or else the read counterparts of the others.</summary>
    internal static List<string> ReadOnlyActions(IActionVocabulary vocabulary, IReadOnlyList<string> actions)
    {
        var reads = new List<string>(actions.Count);
        foreach (var action in actions)
        {
            if (ActionClassifier.Classify(vocabulary, action) == ActionClass.Read && !reads.Contains(action, StringComparer.Ordinal))
            {
                reads.Add(action);
            }
        }

        if (reads.Count > 0)
        {
            return reads;
        }

        foreach (var action in actions)
        {
            foreach (var read in vocabulary.ReadCounterparts(action))
            {
                if (!reads.Contains(read, StringComparer.Ordinal))
                {
                    reads.Add(read);
                }
            }
        }

        return reads;
    }

    private static string Explain(IActionVocabulary vocabulary, AccessRequest request, IReadOnlyList<string> resources, IReadOnlyList<string> actions, TimeSpan duration, int score)
    {
        var names = new List<string>(resources.Count);
        foreach (var r in resources)
        {
            names.Add(r);
        }

        var changes = new List<string>(3);
        if (!actions.SequenceEqual(request.Actions, StringComparer.Ordinal))
        {
            changes.Add(actions.All(a => ActionClassifier.Classify(vocabulary, a) == ActionClass.Read) ? "read-only actions" : "fewer actions");
        }

        if (!resources.SequenceEqual(request.Resources, StringComparer.Ordinal))
        {
            changes.Add(resources.Any(r => r.Contains('*', StringComparison.Ordinal)) || resources.Count < request.Resources.Count ? "fewer resources" : "named resources instead of wildcards");
        }

        if (duration != request.RequestedDuration)
        {
            changes.Add("a shorter duration");
        }

        return $"ask for {string.Join(", ", actions)} on {Words.List(names)} for {Words.Of(duration)} ({string.Join(", ", changes)}): "
               + $"that request would be granted automatically (score {score})";
    }
}
