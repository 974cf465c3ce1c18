namespace AgentAccessBroker.Decisions;

/// <summary>
/// Folds one outcome into the aggregates. Pure; bounded memory per agent and task, so reading history costs the same
/// after ten events or ten million. Build the <see cref="HistoryOutcome"/> with the analyzer's
/// <c>HistoryOutcomes.Describe</c>, which computes its action classes, chain signals and normalised purpose.
/// </summary>
public static class HistoryFold
{
    public const int RecentRequestWindow = 64;
    public const int MaxRemembered = 256;

    /// <summary>Denied purposes kept per task: rewording is judged against recent denials, and each is compared on every request.</summary>
    public const int MaxDeniedPurposes = 16;

    /// <summary>Distinct grant keys kept per agent; the least granted are dropped first.</summary>
    public const int MaxGrantKeys = 1024;

    /// <summary>Counts a request at the moment it is assessed (velocity must see requests before they are decided).</summary>
    public static BehaviourHistory RecordRequest(BehaviourHistory history, DateTimeOffset at)
    {
        var times = history.Agent.RecentRequestTimes.Append(at).TakeLast(RecentRequestWindow).ToList();
        return history with
        {
            Agent = history.Agent with { TotalRequests = history.Agent.TotalRequests + 1, RecentRequestTimes = times },
            Task = history.Task with { Requests = history.Task.Requests + 1 },
        };
    }

    /// <summary>Folds in how a request was finally decided.</summary>
    public static BehaviourHistory RecordOutcome(BehaviourHistory history, HistoryOutcome outcome, bool humanReviewMode)
    {
        var agent = history.Agent;
        var task = history.Task;
        var request = outcome.Request;
        var resourceKeys = request.Resources.Select(r => $"{request.Target}|{r}").ToList();

        var seenResources = Merge(agent.SeenResources, resourceKeys);
        var seenClasses = Bounded(agent.SeenActionClasses.Union(outcome.ActionClasses.Select(ActionClassKey), StringComparer.Ordinal));
        var touched = Merge(task.TouchedResources, resourceKeys);
        var width = request.Resources.Count * Math.Max(1, request.Actions.Count);
        var top = outcome.ActionClasses.Count == 0 ? Domain.ActionClass.Read : outcome.ActionClasses.Max();
        var highest = task.HighestActionClass is { } h && h > top ? h : top;

        // Only granted access can have done anything, so only grants leave chain signals behind.
        var signals = outcome.Decision == DecisionKind.Grant
            ? Bounded(task.Signals.Union(outcome.Signals, StringComparer.Ordinal))
            : task.Signals;

        if (outcome.Decision == DecisionKind.Deny)
        {
            agent = agent with { TotalDenials = agent.TotalDenials + 1 };
            task = task with
            {
                Denials = task.Denials + 1,
                ConsecutiveDenials = task.ConsecutiveDenials + 1,
                DeniedPurposes = task.DeniedPurposes.Append(outcome.NormalisedPurpose).TakeLast(MaxDeniedPurposes).ToList(),
                DeniedRequestKeys = Merge(task.DeniedRequestKeys, GrantKeys(request.Target, request.Resources, outcome.ActionClasses).ToList()),
            };
        }
        else if (outcome.Decision == DecisionKind.Grant)
        {
            var counts = new Dictionary<string, int>(agent.GrantCounts, StringComparer.Ordinal);
            foreach (var key in GrantKeys(request.Target, request.Resources, outcome.ActionClasses))
            {
                counts[key] = counts.GetValueOrDefault(key) + 1;
            }

            agent = agent with { GrantCounts = BoundedCounts(counts) };
            task = task with { ConsecutiveDenials = 0 };
        }

        return new BehaviourHistory(
            agent with { SeenResources = seenResources, SeenActionClasses = seenClasses },
            task with
            {
                TouchedResources = touched,
                Signals = signals,
                MaxResourceCount = Math.Max(task.MaxResourceCount, width),
                HumanReviewMode = task.HumanReviewMode || humanReviewMode,
                HighestActionClass = highest,
            });
    }

    /// <summary>The keys under which grants of a request are counted, so routine repeats can be recognised.</summary>
    public static IEnumerable<string> GrantKeys(string target, IEnumerable<string> resources, IEnumerable<Domain.ActionClass> classes)
    {
        var top = classes.DefaultIfEmpty(Domain.ActionClass.Read).Max();
        return resources.Select(r => GrantKey(target, r, top));
    }

    /// <summary>The key of one resource of a request whose most risky action is <paramref name="top"/>.</summary>
    public static string GrantKey(string target, string resource, Domain.ActionClass top) => string.Concat(target, "|", resource, "|", ActionClassKey(top));

    /// <summary>How an action class is written in keys and in <see cref="AgentHistory.SeenActionClasses"/> (its enum name).</summary>
    public static string ActionClassKey(Domain.ActionClass c) => c switch
    {
        Domain.ActionClass.Read => nameof(Domain.ActionClass.Read),
        Domain.ActionClass.Write => nameof(Domain.ActionClass.Write),
        Domain.ActionClass.Destructive => nameof(Domain.ActionClass.Destructive),
        Domain.ActionClass.PrivilegeChange => nameof(Domain.ActionClass.PrivilegeChange),
        _ => nameof(Domain.ActionClass.Wildcard),
    };

    private static List<string> Bounded(IEnumerable<string> values) => values.TakeLast(MaxRemembered).ToList();

    /// <summary>
    /// <paramref name="existing"/> (already distinct) followed by the items of <paramref name="added"/> it lacks (ordinal), bounded:
    /// the same list as <c>Bounded(existing.Union(added))</c>. For the usual few added items a scan of the list is far
    /// cheaper than the set Union builds over a full list of 256 (which made one fold of a saturated history cost ~50 µs).
    /// </summary>
    private static List<string> Merge(IReadOnlyList<string> existing, IReadOnlyList<string> added)
    {
        if (added.Count > 8)
        {
            return Bounded(existing.Union(added, StringComparer.Ordinal));
        }

        var merged = new List<string>(existing.Count + added.Count);
        merged.AddRange(existing);
        foreach (var item in added)
        {
            if (!merged.Contains(item))
            {
                merged.Add(item);
            }
        }

        if (merged.Count > MaxRemembered)
        {
            merged.RemoveRange(0, merged.Count - MaxRemembered);
        }

        return merged;
    }

    private static Dictionary<string, int> BoundedCounts(Dictionary<string, int> counts)
    {
        // Keep the most granted keys (ties broken by key for determinism): routine is what was granted often. A grant
        // adds a few keys, so drop the least granted one at a time (one scan each) instead of sorting a full map on
        // every grant of a saturated agent; the same keys survive as sorting by count, then key, and taking the first.
        while (counts.Count > MaxGrantKeys)
        {
            var (dropKey, dropCount) = (string.Empty, int.MaxValue);
            foreach (var (key, count) in counts)
            {
                if (count < dropCount || (count == dropCount && string.CompareOrdinal(key, dropKey) > 0))
                {
                    (dropKey, dropCount) = (key, count);
                }
            }

            counts.Remove(dropKey);
        }

        return counts;
    }
}
