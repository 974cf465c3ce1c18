using System.Globalization;
using System.Text.Json;
using AgentAccessBroker.Actions;
using AgentAccessBroker.Decisions;
using AgentAccessBroker.Domain;
using AgentAccessBroker.IntentAnalysis.Scoring;
using AgentAccessBroker.Policy;

namespace AgentAccessBroker.IntentAnalysis.Simulation;

/// <summary>
/// Reads one scenario line (the format is documented in docs/DECISIONS.md) into an <see cref="AssessmentInput"/>,
/// folding its history events through <see cref="HistoryFold"/> exactly as the broker's store would.
/// </summary>
internal static class ScenarioParser
{
    public static readonly DateTimeOffset DefaultNow = new(2026, 11, 21, 10, 0, 0, TimeSpan.Zero);

    public static Scenario Parse(BrokerPolicy policy, ActionVocabularies vocabularies, string json, int line)
    {
        using var document = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("a scenario must be a JSON object");
        }

        var id = RequiredString(root, "id");
        var category = OptionalString(root, "category") ?? "uncategorised";
        var label = OptionalString(root, "label") is { } l ? ParseLabel(l) : (DecisionKind?)null;
        var acceptable = new List<DecisionKind>(2);
        foreach (var a in StringList(root, "acceptable"))
        {
            var kind = ParseLabel(a, "acceptable");
            if (kind != label && !acceptable.Contains(kind))
            {
                acceptable.Add(kind);
            }
        }

        var now = OptionalString(root, "now") is { } n ? ParseTime(n, DefaultNow, "now") : DefaultNow;

        var taskElement = RequiredObject(root, "task");
        var agentId = RequiredString(taskElement, "agent");
        var task = new BrokerTask(
            OptionalString(taskElement, "id") ?? "task-" + id,
            RequiredString(taskElement, "description"),
            OptionalString(taskElement, "owner") ?? "owner",
            agentId,
            StringList(taskElement, "scope_hints"),
            OptionalString(taskElement, "environment"),
            now.AddHours(-1),
            null,
            TaskState.Active,
            null);

        var requestElement = RequiredObject(root, "request");
        var request = ReadRequest(requestElement, "req-" + id, agentId, task.Id, now);
        var target = policy.FindTarget(request.Target) ?? throw new FormatException($"target '{request.Target}' is not in the policy");
        var history = ReadHistory(root, policy, vocabularies, task, request.Target, now);

        var input = new AssessmentInput(request, task, policy, target, policy.FindAgent(agentId), RequestFacts.Resolve(target, request.Resources), history, now,
            vocabularies.For(target.Connector));
        return new Scenario(line, id, category, label, OptionalString(root, "note"), input) { Acceptable = acceptable };
    }

    private static AccessRequest ReadRequest(JsonElement element, string id, string agentId, string taskId, DateTimeOffset now, string? target = null)
    {
        var duration = OptionalString(element, "duration") is { } d ? ParseDuration(d, "duration") : TimeSpan.FromMinutes(30);
        return new AccessRequest(
            id,
            agentId,
            taskId,
            target ?? RequiredString(element, "target"),
            StringList(element, "resources"),
            StringList(element, "actions"),
            OptionalString(element, "purpose") ?? string.Empty,
            duration,
            now,
            RequestStatus.Pending,
            null,
            null,
            null,
            null);
    }

    private static BehaviourHistory ReadHistory(JsonElement root, BrokerPolicy policy, ActionVocabularies vocabularies, BrokerTask task, string defaultTarget, DateTimeOffset now)
    {
        var history = BehaviourHistory.Empty(task.AgentId, task.Id);
        if (!root.TryGetProperty("history", out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return history;
        }

        var events = element.ValueKind switch
        {
            JsonValueKind.Array => element,
            JsonValueKind.Object when element.TryGetProperty("events", out var e) && e.ValueKind == JsonValueKind.Array => e,
            JsonValueKind.Object => default,
            _ => throw new FormatException("'history' must be a list of events or an object with 'events'"),
        };

        if (events.ValueKind == JsonValueKind.Array)
        {
            history = Fold(history, ExpandEvents(events, policy, vocabularies, task, defaultTarget, now), policy, task);
        }

        if (element.ValueKind == JsonValueKind.Object)
        {
            history = ApplyAggregates(history, element);
        }

        return history;
    }

    private sealed record HistoryEvent(DateTimeOffset At, bool SameTask, AccessRequest Request, IActionVocabulary Vocabulary, IReadOnlyList<ResolvedResource> Resources, DecisionKind? Outcome, int Order);

    private static List<HistoryEvent> ExpandEvents(JsonElement events, BrokerPolicy policy, ActionVocabularies vocabularies, BrokerTask task, string defaultTarget, DateTimeOffset now)
    {
        var list = new List<HistoryEvent>();
        var order = 0;
        foreach (var e in events.EnumerateArray())
        {
            if (e.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException("every history event must be an object");
            }

            var targetName = OptionalString(e, "target") ?? defaultTarget;
            var target = policy.FindTarget(targetName) ?? throw new FormatException($"history event target '{targetName}' is not in the policy");
            var at = OptionalString(e, "at") is { } a ? ParseTime(a, now, "history.at") : now.AddMinutes(-10);
            var repeat = e.TryGetProperty("repeat", out var r) ? r.GetInt32() : 1;
            if (repeat is < 1 or > 10_000)
            {
                throw new FormatException("'repeat' must be between 1 and 10000");
            }

            var every = OptionalString(e, "every") is { } ev ? ParseDuration(ev, "history.every") : TimeSpan.FromDays(1);
            var sameTask = (OptionalString(e, "task") ?? "same") switch
            {
                "same" => true,
                "other" => false,
                var other => throw new FormatException($"history 'task' must be 'same' or 'other', not '{other}'"),
            };
            var outcome = (OptionalString(e, "outcome") ?? "grant") switch
            {
                "grant" or "granted" or "approved" => DecisionKind.Grant,
                "deny" or "denied" or "expired" => DecisionKind.Deny,
                "pending" => (DecisionKind?)null,
                var other => throw new FormatException($"history 'outcome' must be grant, deny or pending, not '{other}'"),
            };

            var resources = StringList(e, "resources");
            for (var i = 0; i < repeat; i++)
            {
                var when = at - (every * (repeat - 1 - i));
                var request = ReadRequest(e, $"hist-{order}", task.AgentId, sameTask ? task.Id : task.Id + "-other", when, targetName);
                list.Add(new HistoryEvent(when, sameTask, request, vocabularies.For(target.Connector), RequestFacts.Resolve(target, resources), outcome, order++));
            }
        }

        list.Sort((x, y) => x.At != y.At ? x.At.CompareTo(y.At) : x.Order.CompareTo(y.Order));
        return list;
    }

    private static BehaviourHistory Fold(BehaviourHistory history, List<HistoryEvent> events, BrokerPolicy policy, BrokerTask task)
    {
        var otherTask = TaskHistory.Empty(task.AgentId, task.Id + "-other");
        foreach (var e in events)
        {
            var current = e.SameTask ? history : history with { Task = otherTask };
            current = HistoryFold.RecordRequest(current, e.At);
            if (e.Outcome is { } outcome)
            {
                var humanReview = IntentAnalyzer.IsHumanReviewMode(current.Task, policy.Escalation);
                current = HistoryFold.RecordOutcome(current, HistoryOutcomes.Describe(e.Request, e.Vocabulary, e.Resources, task.Environment, outcome, e.At), humanReview);
            }

            if (e.SameTask)
            {
                history = current;
            }
            else
            {
                otherTask = current.Task;
                history = history with { Agent = current.Agent };
            }
        }

        return history;
    }

    private static BehaviourHistory ApplyAggregates(BehaviourHistory history, JsonElement element)
    {
        var task = history.Task;
        if (element.TryGetProperty("task_denials", out var denials))
        {
            task = task with { Denials = denials.GetInt32() };
        }

        if (element.TryGetProperty("consecutive_denials", out var consecutive))
        {
            task = task with { ConsecutiveDenials = consecutive.GetInt32() };
        }

        if (element.TryGetProperty("human_review_mode", out var review))
        {
            task = task with { HumanReviewMode = review.GetBoolean() };
        }

        var agent = history.Agent;
        if (element.TryGetProperty("agent_total_denials", out var total))
        {
            agent = agent with { TotalDenials = total.GetInt32() };
        }

        return new BehaviourHistory(agent, task);
    }

    private static DecisionKind ParseLabel(string label, string key = "label") => label switch
    {
        "grant" => DecisionKind.Grant,
        "approval" or "require_approval" => DecisionKind.RequireApproval,
        "deny" => DecisionKind.Deny,
        _ => throw new FormatException($"'{key}' must be grant, approval or deny, not '{label}'"),
    };

    /// <summary>An ISO 8601 time, or an offset before <paramref name="now"/> such as <c>-5m</c>.</summary>
    private static DateTimeOffset ParseTime(string text, DateTimeOffset now, string key)
    {
        if (text.StartsWith('-') && PolicyDuration.TryParse(text[1..], out var ago))
        {
            return now - ago;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? at
            : throw new FormatException($"'{key}' must be an ISO 8601 time or an offset like -5m, not '{text}'");
    }

    private static TimeSpan ParseDuration(string text, string key) =>
        PolicyDuration.TryParse(text, out var d) ? d : throw new FormatException($"'{key}' must be a duration like 30m or 1h30m, not '{text}'");

    private static string RequiredString(JsonElement element, string name) =>
        OptionalString(element, name) ?? throw new FormatException($"'{name}' is required");

    private static string? OptionalString(JsonElement element, string name)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String ? value.GetString() : throw new FormatException($"'{name}' must be a string");
    }

    private static JsonElement RequiredObject(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object ? value : throw new FormatException($"'{name}' must be an object");

    private static List<string> StringList(JsonElement element, string name)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException($"'{name}' must be a list of strings");
        }

        var list = new List<string>(value.GetArrayLength());
        foreach (var item in value.EnumerateArray())
        {
            list.Add(item.ValueKind == JsonValueKind.String ? item.GetString()! : throw new FormatException($"'{name}' must be a list of strings"));
        }

        return list;
    }
}
