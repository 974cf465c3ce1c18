using AgentAccessBroker.Actions;
using AgentAccessBroker.Decisions;
using AgentAccessBroker.Domain;
using AgentAccessBroker.IntentAnalysis.Classification;

namespace AgentAccessBroker.IntentAnalysis.Scoring;

/// <summary>
/// Factors from the agent's behaviour history. History arrives as bounded aggregates (see <see cref="HistoryFold"/>),
/// so every check here costs the same whatever the number of past events. The history is the state before this
/// request; a request time equal to <see cref="AssessmentInput.Now"/> already recorded for it is not counted twice.
/// </summary>
internal static class HistoryFactors
{
    public static void Score(ScoreSheet sheet)
    {
        Novelty(sheet);
        Velocity(sheet);
        Denials(sheet);
        ScopeCreep(sheet);
        Chains(sheet);
    }

    /// <summary>Runs last: lowers the score only for a narrow, clean request that was granted many times before.</summary>
    public static void Routine(ScoreSheet sheet)
    {
        var facts = sheet.Facts;
        if (facts.TopClass > ActionClass.Destructive || facts.AnyUnknown || facts.Resources.Length == 0 || facts.Resources.Length > Weights.RoutineMaxResources)
        {
            return;
        }

        // Destructive work earns credit too (the same cleanup approved again and again), but only on low and medium
        // resources and never for destroying a whole store.
        var destructive = facts.TopClass == ActionClass.Destructive;
        if (destructive && (facts.Traits.HasFlag(ActionTraits.DestroysStore) || facts.MaxSensitivity > Sensitivity.Medium || sheet.Has(FactorCodes.ClassEscalation)))
        {
            return;
        }

        // A repeated wildcard is routine only while it reaches nothing more sensitive than the entry it names.
        foreach (var r in facts.Resources)
        {
            if (r.Covered.Count > 0)
            {
                return;
            }
        }

        foreach (var flag in FactorCodes.RedFlags)
        {
            if (sheet.Has(flag))
            {
                return;
            }
        }

        var counts = sheet.Input.History.Agent.GrantCounts;
        var least = int.MaxValue;
        foreach (var key in facts.GrantKeys)
        {
            least = Math.Min(least, counts.TryGetValue(key, out var n) ? n : 0);
        }

        foreach (var (atLeast, points) in Weights.Routine)
        {
            if (least >= atLeast)
            {
                sheet.Add(FactorCodes.Routine, points, destructive
                    ? $"the same delete access (items, not the whole store) was granted {least} times before: routine work done again"
                    : $"the same {Words.Of(facts.TopClass)} access was granted {least} times before: routine");
                return;
            }
        }

        // The same work on new items of the same catalogue entry (yesterday's cleanup prefix, today's): counted per entry.
        var entry = SameEntryGrants(sheet, counts);
        foreach (var (atLeast, points) in Weights.Routine)
        {
            if (entry >= atLeast)
            {
                sheet.Add(FactorCodes.Routine, points, destructive
                    ? $"the same delete access (items, not the whole store) to other items of the same catalogue entry was granted {entry} times before: routine work done again on new items"
                    : $"the same {Words.Of(facts.TopClass)} access to other items of the same catalogue entry was granted {entry} times before: routine");
                return;
            }
        }
    }

    /// <summary>
    /// Grants of the request's action class on other items of the same place (same parent path) that resolve to the same catalogue entry, for the entry of
    /// each requested resource (the least over them); 0 unless every resource is an item (a path with a parent) under an entry that is a pattern.
    /// Bounded: the counts hold at most <see cref="HistoryFold.MaxGrantKeys"/> keys.
    /// </summary>
    private static int SameEntryGrants(ScoreSheet sheet, IReadOnlyDictionary<string, int> counts)
    {
        var facts = sheet.Facts;
        var target = sheet.Input.Target;
        var suffix = "|" + HistoryFold.ActionClassKey(facts.TopClass);
        var least = int.MaxValue;
        for (var i = 0; i < facts.Resources.Length; i++)
        {
            var r = facts.Resources[i];
            if (r.Catalogue is not { } entry || !entry.Pattern.Contains('*', StringComparison.Ordinal))
            {
                return 0;
            }

            var prefix = r.Key[..(r.Key.IndexOf('|', StringComparison.Ordinal) + 1)];
            var parent = Parent(r.Name);
            if (parent.IsEmpty)
            {
                return 0;
            }

            var sum = 0;
            foreach (var (key, n) in counts)
            {
                if (key.Length <= prefix.Length + suffix.Length || !key.StartsWith(prefix, StringComparison.Ordinal) || !key.EndsWith(suffix, StringComparison.Ordinal))
                {
                    continue;
                }

                var name = key[prefix.Length..^suffix.Length];
                if (Parent(name).Equals(parent, StringComparison.Ordinal) && entry.Matches(name) && ReferenceEquals(target.Match(name), entry))
                {
                    sum += n;
                }
            }

            least = Math.Min(least, sum);
        }

        return least == int.MaxValue ? 0 : least;
    }

    /// <summary>What holds an item: the name without its trailing glob and its last path segment (<c>bucket/pr-12/*</c> → <c>bucket</c>).</summary>
    private static ReadOnlySpan<char> Parent(string name)
    {
        var trimmed = name.AsSpan().TrimEnd('*').TrimEnd('/');
        var slash = trimmed.LastIndexOf('/');
        return slash > 0 ? trimmed[..slash] : [];
    }

    private static void Novelty(ScoreSheet sheet)
    {
        var facts = sheet.Facts;
        var agent = sheet.Input.History.Agent;
        string? novel = null;
        var worst = Sensitivity.Low;
        var vague = sheet.Has(FactorCodes.PurposeVague);
        foreach (var r in facts.Resources)
        {
            // A low or medium resource the human named in the task's hints is expected, not novel, as long as the agent
            // can say what it wants it for; so is reading the settings (not the data) of a high one the hints name. What
            // a request does to the high resource is judged by the actions that can act on it: the log reads of a
            // function's log group, asked for in the same request, read nothing of the function itself.
            if (r.Catalogue is not null && !vague && facts.Task.HintMatches(r, facts.TargetWide))
            {
                if (r.Sensitivity <= Sensitivity.Medium)
                {
                    continue;
                }

                if (r.Sensitivity == Sensitivity.High && facts.ReadsOnlySettingsOf(r))
                {
                    if (!Contains(agent.SeenResources, r.Key))
                    {
                        sheet.Notes.Add(facts.ChangesOrReadsData || facts.TopClass != ActionClass.Read
                            ? $"{r.Display} is named in the task's hints: the actions that can act on it only read its settings (the others act on other resources), which is expected, not new"
                            : $"{r.Display} is named in the task's hints: reading its settings is expected, not new");
                    }

                    continue;
                }
            }

            if (r.Catalogue is not null && !Contains(agent.SeenResources, r.Key) && (novel is null || r.Sensitivity > worst))
            {
                novel = r.Display;
                worst = r.Sensitivity;
            }
        }

        // Reading a repository's code or a resource's settings, inside the task, is how any task starts: new, not risky.
        if (novel is not null && facts.TopClass == ActionClass.Read && !vague && !sheet.Has(FactorCodes.OutOfTaskScope)
            && (!facts.ChangesOrReadsData || RequestFactors.ReadsOnlySourceOrRecords(facts)))
        {
            sheet.Notes.Add($"first time this agent asks for {novel}, but the request only reads its {(facts.ChangesOrReadsData ? "source" : "settings")} inside the task: new, not a risk");
            novel = null;
        }

        if (novel is not null)
        {
            sheet.Add(FactorCodes.NovelResource, Weights.NovelResource[(int)worst], $"first time this agent asks for {novel}");
        }

        if (facts.Actions.Length > 0 && !Contains(agent.SeenActionClasses, HistoryFold.ActionClassKey(facts.TopClass)) && !TaskScope.WritesConfinedToQueryResults(facts))
        {
            sheet.Add(FactorCodes.NovelActionClass, Weights.NovelActionClass[(int)facts.TopClass], $"first time this agent asks for {Words.Of(facts.TopClass)} access");
        }
    }

    private static void Velocity(ScoreSheet sheet)
    {
        var now = sheet.Input.Now;
        var since = now - Weights.VelocityWindow;
        var times = sheet.Input.History.Agent.RecentRequestTimes;
        var count = 1;
        for (var i = times.Count - 1; i >= 0; i--)
        {
            var t = times[i];
            if (t < since)
            {
                break;
            }

            if (t < now)
            {
                count++;
            }
        }

        var ordinaryReads = sheet.Facts.TopClass == ActionClass.Read && sheet.Facts.MaxSensitivity <= Sensitivity.Medium;
        foreach (var (atLeast, points) in ordinaryReads ? Weights.ReadVelocity : Weights.Velocity)
        {
            if (count >= atLeast)
            {
                sheet.Add(FactorCodes.Velocity, points, $"{count} requests from this agent in the last {(int)Weights.VelocityWindow.TotalSeconds} seconds");
                return;
            }
        }
    }

    private static void Denials(ScoreSheet sheet)
    {
        var task = sheet.Input.History.Task;
        if (task.Denials > 0)
        {
            var points = Weights.PriorDenials[Math.Min(task.Denials, Weights.PriorDenials.Length - 1)];
            sheet.Add(FactorCodes.PriorDenials, points, task.Denials == 1
                ? "one earlier request in this task was denied"
                : $"{task.Denials} earlier requests in this task were denied; this would be the {Words.Ordinal(task.Denials + 1)} denial");
        }

        var best = 0.0;
        if (task.DeniedPurposes.Count > 0)
        {
            var purpose = sheet.Facts.Purpose.Normalised();
            foreach (var denied in task.DeniedPurposes)
            {
                best = Math.Max(best, Text.TextTerms.Similarity(purpose, denied));
            }
        }

        string? repeated = null;
        foreach (var key in sheet.Facts.GrantKeys)
        {
            if (Contains(task.DeniedRequestKeys, key))
            {
                repeated = key[(key.IndexOf('|') + 1)..key.LastIndexOf('|')];
                break;
            }
        }

        if (repeated is not null)
        {
            sheet.Add(FactorCodes.RepeatAfterDenial, Weights.RepeatAfterDenial, $"asks again for {RequestFacts.DisplayName(repeated)} after it was denied in this task");
            if (best < 1.0)
            {
                sheet.Add(FactorCodes.RewordedAfterDenial, Weights.RewordedAfterDenial, "with a different purpose than the denied request");
            }

            // A denial stands for the rest of the task: the same access asked again in other words is denied again. The
            // same words are how an agent takes up the narrower request it was offered, which the score still judges; in
            // human-review mode a person decides every request, this one too.
            if (best < 1.0 && !IntentAnalyzer.IsHumanReviewMode(task, sheet.Input.Policy.Escalation))
            {
                sheet.RaiseFloor(DecisionKind.Deny, $"the same access to {RequestFacts.DisplayName(repeated)} was denied earlier in this task and is asked for again in other words: a denial stands until a human changes the task");
            }
        }
        else if (best >= Weights.RewordingSimilarity && !StepsDownFromDenial(sheet, task))
        {
            sheet.Add(FactorCodes.RewordedAfterDenial, Weights.SimilarToDeniedPurpose, best >= 1.0
                ? "repeats the purpose of a request denied earlier in this task"
                : $"the purpose rewords one denied earlier in this task ({best:P0} the same words)");
        }
    }

    /// <summary>
    /// True when every resource of this request was denied earlier in the task with a riskier action class: the agent
    /// is narrowing as a denial asked it to, which is compliance, not rewording its way around the denial.
    /// </summary>
    private static bool StepsDownFromDenial(ScoreSheet sheet, TaskHistory task)
    {
        foreach (var key in sheet.Facts.GrantKeys)
        {
            var resource = key[..(key.LastIndexOf('|') + 1)];
            var riskier = false;
            foreach (var denied in task.DeniedRequestKeys)
            {
                if (denied.StartsWith(resource, StringComparison.Ordinal)
                    && Enum.TryParse<ActionClass>(denied[resource.Length..], out var deniedClass)
                    && deniedClass > sheet.Facts.TopClass)
                {
                    riskier = true;
                    break;
                }
            }

            if (!riskier)
            {
                return false;
            }
        }

        return sheet.Facts.GrantKeys.Length > 0;
    }

    private static void ScopeCreep(ScoreSheet sheet)
    {
        var facts = sheet.Facts;
        var task = sheet.Input.History.Task;
        if (task.MaxResourceCount == 0 && task.TouchedResources.Count == 0)
        {
            return;
        }

        // Today's three preview folders after yesterday's one: more items of a place this task already worked on, with
        // the access it was granted there, are more of the same work, not a wider scope.
        if (MoreItemsOfPlacesWorkedOn(sheet, task) is { } place)
        {
            sheet.Notes.Add($"every resource is a new item of {place}, where this task was already granted the same access: more of the same work, not a wider scope");
        }
        else
        {
            Widening(sheet, facts, task);
        }

        if (task.HighestActionClass is { } highest && facts.TopClass > highest && facts.TopClass >= ActionClass.Destructive)
        {
            sheet.Add(FactorCodes.ClassEscalation, Weights.ClassEscalation, $"moves from {Words.Of(highest)} to {Words.Of(facts.TopClass)} access within the task");
        }
    }

    private static void Widening(ScoreSheet sheet, RequestFacts facts, TaskHistory task)
    {
        if (facts.Width >= 4 && facts.Width > 2 * task.MaxResourceCount)
        {
            sheet.Add(FactorCodes.ScopeWidening, Weights.ScopeWidening,
                $"the widest request in this task so far ({facts.Width} resource-action pairs, up from {task.MaxResourceCount})");
        }

        var fresh = 0;
        foreach (var r in facts.Resources)
        {
            if (!Contains(task.TouchedResources, r.Key))
            {
                fresh++;
            }
        }

        if (fresh >= Weights.NewResourcesThreshold)
        {
            sheet.Add(FactorCodes.NewResources, Weights.NewResourcesInTask, $"{fresh} resources this task has not touched before");
        }
    }

    /// <summary>
    /// The display name of the place when the request names at most <see cref="Weights.RoutineMaxResources"/> items, each
    /// under the same parent and catalogue entry (a pattern) as an item this task touched and the agent was granted the
    /// request's action class on, with no more actions per item than the task's widest request so far; otherwise null.
    /// </summary>
    private static string? MoreItemsOfPlacesWorkedOn(ScoreSheet sheet, TaskHistory task)
    {
        var facts = sheet.Facts;
        if (facts.Resources.Length == 0 || facts.Resources.Length > Weights.RoutineMaxResources || facts.Actions.Length > task.MaxResourceCount
            || facts.TopClass > ActionClass.Destructive || task.TouchedResources.Count == 0)
        {
            return null;
        }

        var target = sheet.Input.Target;
        var grants = sheet.Input.History.Agent.GrantCounts;
        var suffix = "|" + HistoryFold.ActionClassKey(facts.TopClass);
        string? place = null;
        foreach (var r in facts.Resources)
        {
            if (r.Catalogue is not { } entry || !entry.Pattern.Contains('*', StringComparison.Ordinal))
            {
                return null;
            }

            var prefix = r.Key[..(r.Key.IndexOf('|', StringComparison.Ordinal) + 1)];
            var parent = Parent(r.Name);
            if (parent.IsEmpty)
            {
                return null;
            }

            var worked = false;
            foreach (var touched in task.TouchedResources)
            {
                if (!touched.StartsWith(prefix, StringComparison.Ordinal))
                {
                    continue;
                }

                var name = touched[prefix.Length..];
                if (name != r.Name && Parent(name).Equals(parent, StringComparison.Ordinal) && ReferenceEquals(target.Match(name), entry)
                    && grants.TryGetValue(touched + suffix, out var n) && n > 0)
                {
                    worked = true;
                    break;
                }
            }

            if (!worked)
            {
                return null;
            }

            place ??= RequestFacts.DisplayName(parent.ToString());
        }

        return place;
    }

    private static void Chains(ScoreSheet sheet)
    {
        var facts = sheet.Facts;
        var signals = sheet.Input.History.Task.Signals;
        var traits = facts.Traits;

        if (traits.HasFlag(ActionTraits.PolicyAttach) && Contains(signals, ChainSignals.IdentityCreated))
        {
            sheet.Add(FactorCodes.ChainIdentityPolicy, Weights.ChainIdentityThenPolicy, "attaches a policy or role after an identity was created in this task");
        }
        else if (traits.HasFlag(ActionTraits.PolicyAttach) && traits.HasFlag(ActionTraits.IdentityCreate))
        {
            sheet.Add(FactorCodes.ChainIdentityPolicy, Weights.IdentityAndPolicyTogether, "creates an identity and grants it permissions in one request");
        }

        var data = facts.ChangesOrReadsData;
        if (data && Contains(signals, ChainSignals.NetworkOpened))
        {
            sheet.Add(FactorCodes.ChainNetworkData, Weights.ChainNetworkThenData, "reaches a data store after a network path was opened in this task");
        }
        else if (data && traits.HasFlag(ActionTraits.NetworkOpen))
        {
            sheet.Add(FactorCodes.ChainNetworkData, Weights.NetworkAndDataTogether, "opens a network path and reaches data in one request");
        }

        if (SecretThenOtherEnvironment(facts, signals) is { } chain)
        {
            sheet.Add(FactorCodes.ChainSecretEnvironment, Weights.ChainSecretThenOtherEnvironment, chain);
        }

        if (Contains(signals, ChainSignals.LoggingWeakened))
        {
            sheet.Add(FactorCodes.ChainAfterLoggingWeakened, Weights.ChainAfterLoggingWeakened, "asks for more access after logging or audit was weakened in this task");
            sheet.RaiseFloor(DecisionKind.RequireApproval, "logging or audit was weakened earlier in this task, so a human decides everything after it");
        }
    }

    private static string? SecretThenOtherEnvironment(RequestFacts facts, IReadOnlyList<string> signals)
    {
        foreach (var signal in signals)
        {
            if (!signal.StartsWith(ChainSignals.SecretReadInPrefix, StringComparison.Ordinal))
            {
                continue;
            }

            var secretEnv = signal[ChainSignals.SecretReadInPrefix.Length..];
            foreach (var r in facts.Resources)
            {
                if (r.Environment is { } env && env != secretEnv)
                {
                    return $"acts in {env} after reading a secret in {secretEnv} in this task";
                }
            }
        }

        return null;
    }

    private static bool Contains(IReadOnlyList<string> list, string value)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (string.Equals(list[i], value, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
