namespace AgentAccessBroker.Decisions;

/// <summary>Folds one outcome into the aggregates. Pure; bounded memory per agent and task.</summary>
public static class HistoryFold
{
    public const int RecentRequestWindow = 64;
    public const int MaxRemembered = 256;

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

        var seenResources = Bounded(agent.SeenResources.Union(resourceKeys, StringComparer.Ordinal));
        var seenClasses = Bounded(agent.SeenActionClasses.Union(outcome.ActionClasses.Select(c => c.ToString()), StringComparer.Ordinal));
        var touched = Bounded(task.TouchedResources.Union(resourceKeys, StringComparer.Ordinal));
        var signals = Bounded(task.Signals.Union(outcome.Signals, StringComparer.Ordinal));
        var width = request.Resources.Count * Math.Max(1, request.Actions.Count);

        if (outcome.Decision == DecisionKind.Deny)
        {
            agent = agent with { TotalDenials = agent.TotalDenials + 1 };
            task = task with
            {
                Denials = task.Denials + 1,
                ConsecutiveDenials = task.ConsecutiveDenials + 1,
                DeniedPurposes = Bounded(task.DeniedPurposes.Append(outcome.NormalisedPurpose)),
            };
        }
        else if (outcome.Decision == DecisionKind.Grant)
        {
            var counts = new Dictionary<string, int>(agent.GrantCounts, StringComparer.Ordinal);
            foreach (var key in GrantKeys(request.Target, request.Resources, outcome.ActionClasses))
            {
                counts[key] = counts.GetValueOrDefault(key) + 1;
            }

            agent = agent with { GrantCounts = counts };
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
            });
    }

    /// <summary>The keys under which grants of a request are counted, so routine repeats can be recognised.</summary>
    public static IEnumerable<string> GrantKeys(string target, IEnumerable<string> resources, IEnumerable<Domain.ActionClass> classes)
    {
        var top = classes.DefaultIfEmpty(Domain.ActionClass.Read).Max();
        return resources.Select(r => $"{target}|{r}|{top}");
    }

    private static List<string> Bounded(IEnumerable<string> values) => values.TakeLast(MaxRemembered).ToList();
}
