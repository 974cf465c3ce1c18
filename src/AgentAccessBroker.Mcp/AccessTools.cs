using System.ComponentModel;
using System.Globalization;
using System.Text;
using System.Text.Json;
using AgentAccessBroker.Client;
using Microsoft.Extensions.Logging;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace AgentAccessBroker.Mcp;

/// <summary>
/// The tools an agent sees, the same over stdio and over Streamable HTTP. Every result is text the model can act on and
/// the same facts as <c>structuredContent</c> that conforms to the tool's output schema; failures are tool results with
/// <c>isError</c>, never exception text. Credentials appear only in the result of a grant.
/// </summary>
[McpServerToolType]
internal sealed partial class AccessTools(IAgentBroker broker, AccessToolOptions options, ILogger<AccessTools> logger, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    [McpServerTool(Name = "describe_targets", UseStructuredContent = true, OutputSchemaType = typeof(TargetsOutput), Title = "Describe what this task may access", ReadOnly = true, Idempotent = true, Destructive = false, OpenWorld = false)]
    [Description("Lists the targets this task may ask for, their resources with sensitivity and environment, typical actions, and the normal and maximum durations. Call it before request_access and ask for the narrowest grant that works: narrow, short, read-only requests that fit the task are the ones granted at once.")]
    public async Task<CallToolResult> DescribeTargetsAsync(CancellationToken cancellationToken) => await GuardAsync("describe_targets", error => new TargetsOutput(null, [], null, error), async () =>
    {
        var task = await broker.GetCurrentTaskAsync(cancellationToken);
        var targets = await broker.ListTargetsAsync(cancellationToken);
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Task {task.Id}: {task.Description}");
        foreach (var target in targets)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"\nTarget '{target.Name}' ({target.Connector}): {target.Description}");
            text.AppendLine(CultureInfo.InvariantCulture, $"  actions this target grants: {string.Join(", ", target.SuggestedActions)}");
            foreach (var resource in target.Resources)
            {
                var tags = resource.Tags.Count > 0 ? $", tags {string.Join("/", resource.Tags)}" : string.Empty;
                text.AppendLine(CultureInfo.InvariantCulture,
                    $"  - {resource.Name}: {resource.Sensitivity}, {resource.Environment}{tags}; normal duration {resource.NormalDuration}, maximum {resource.MaxDuration}{(resource.Description is null ? string.Empty : " — " + resource.Description)}");
            }
        }

        var guidance = targets.FirstOrDefault()?.Guidance ?? "No targets are available to this agent.";
        text.AppendLine().AppendLine(guidance);
        return Ok(text.ToString(), new TargetsOutput(
            new TaskOutput(task.Id, task.Description, task.State, task.Deadline),
            targets.Select(t => new TargetOutput(t.Name, t.Connector, t.Description, t.SuggestedActions,
                t.Resources.Select(r => new ResourceOutput(r.Name, r.Sensitivity, r.Environment, r.Tags, r.Description, r.NormalDuration, r.MaxDuration)).ToList())).ToList(),
            guidance));
    });

    [McpServerTool(Name = "request_access", UseStructuredContent = true, OutputSchemaType = typeof(AccessOutput), Title = "Request task-scoped access", ReadOnly = false, Idempotent = false, Destructive = false, OpenWorld = true)]
    [Description("Asks the broker for short-lived credentials for this task. The broker scores the request against the task and your stated purpose, then grants at once (the result holds ready-to-use credentials, shown only once), asks a human (use check_request to wait), or denies with reasons and, where one exists, a narrower request that would pass. Denials count against the task: after several the task goes to human review, so never resend a denied request unchanged.")]
    public async Task<CallToolResult> RequestAccessAsync(
        [Description("Target name from describe_targets, e.g. 'app-db'.")] string target,
        [Description("Exact resources needed, e.g. ['app.public.invoices'] or an ARN. Avoid wildcards.")] string[] resources,
        [Description("Exact actions needed, e.g. ['SELECT'] or ['s3:GetObject']. Prefer read-only actions.")] string[] actions,
        [Description("Why this step of the task needs the access, in one or two sentences.")] string purpose,
        [Description("How long: 15m, 30m, 1h. Ask for what this step needs.")] string duration = "15m",
        CancellationToken cancellationToken = default) => await GuardAsync("request_access", AccessError, async () =>
    {
        var outcome = await broker.SubmitRequestAsync(new AccessRequestBody(target, resources, actions, purpose, duration), cancellationToken);
        LogOutcome("request_access", outcome.Request.Id, outcome.Request.Target, outcome.Outcome, outcome.Lease?.Id);
        return Render(outcome, options.PollInterval);
    });

    [McpServerTool(Name = "check_request", UseStructuredContent = true, OutputSchemaType = typeof(AccessOutput), Title = "Wait for a pending approval", ReadOnly = false, Idempotent = false, Destructive = false, OpenWorld = true)]
    [Description("For a request waiting on a human: waits up to wait_seconds (at most 50, below common client timeouts), reporting progress, and returns the credentials as soon as it is approved (or the denial). While it is still pending the result says so with retry_after_seconds: call it again.")]
    public async Task<CallToolResult> CheckRequestAsync(
        [Description("The request id returned by request_access (req_...).")] string request_id,
        [Description("How long to wait, 0 to 50 seconds.")] int wait_seconds = AccessToolOptions.DefaultCheckWaitSeconds,
        IProgress<ProgressNotificationValue>? progress = null,
        CancellationToken cancellationToken = default) => await GuardAsync("check_request", AccessError, async () =>
    {
        if (wait_seconds < 0 || wait_seconds > options.MaxCheckWait.TotalSeconds)
        {
            return ArgumentError(AccessError, "wait_seconds", $"an integer from 0 to {options.MaxCheckWait.TotalSeconds:0}",
                $"wait_seconds is {wait_seconds}; give an integer from 0 to {options.MaxCheckWait.TotalSeconds:0} and call check_request again while the request is pending.");
        }

        var wait = TimeSpan.FromSeconds(wait_seconds);
        var deadline = _time.GetUtcNow() + wait;
        var polls = 0;
        while (true)
        {
            var outcome = await broker.ClaimRequestAsync(request_id, cancellationToken);
            if (outcome.Outcome != "pending_approval" || _time.GetUtcNow() >= deadline)
            {
                LogOutcome("check_request", outcome.Request.Id, outcome.Request.Target, outcome.Outcome, outcome.Lease?.Id);
                return Render(outcome, options.PollInterval);
            }

            var waited = wait - (deadline - _time.GetUtcNow());
            progress?.Report(new ProgressNotificationValue
            {
                Progress = (float)Math.Min(waited.TotalSeconds, wait.TotalSeconds),
                Total = (float)wait.TotalSeconds,
                Message = $"waiting for approval from {outcome.ApproverGroup} ({++polls} checks)",
            });
            var remaining = deadline - _time.GetUtcNow();
            await Task.Delay(remaining < options.PollInterval ? remaining : options.PollInterval, _time, cancellationToken);
        }
    });

    [McpServerTool(Name = "list_access", UseStructuredContent = true, OutputSchemaType = typeof(LeasesOutput), Title = "List this task's access", ReadOnly = true, Idempotent = true, Destructive = false, OpenWorld = false)]
    [Description("Lists the leases issued under this task that are still live, with the time each has left.")]
    public async Task<CallToolResult> ListAccessAsync(CancellationToken cancellationToken) => await GuardAsync("list_access", error => new LeasesOutput(null, [], error), async () =>
    {
        var task = await broker.GetCurrentTaskAsync(cancellationToken);
        var leases = await broker.ListLiveLeasesAsync(task.Id, cancellationToken);
        var output = new LeasesOutput(task.Id, leases.Select(LeaseOf).ToList());
        if (leases.Count == 0)
        {
            return Ok($"No live access under task {task.Id}.", output);
        }

        var text = new StringBuilder($"Live access under task {task.Id}:\n");
        foreach (var lease in leases)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"- {lease.Id}: {string.Join(", ", lease.Actions)} on {string.Join(", ", lease.Resources)} ({lease.Target}), {lease.State}, {FormatLeft(lease.SecondsLeft)} left (until {lease.ExpiresAt.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'})");
        }

        return Ok(text.ToString(), output);
    });

    [McpServerTool(Name = "release_access", UseStructuredContent = true, OutputSchemaType = typeof(ReleaseOutput), Title = "Release access", ReadOnly = false, Idempotent = true, Destructive = true, OpenWorld = true)]
    [Description("Revokes access you no longer need: one lease by id, or with all=true every lease of this task and the task itself. Call it with all=true when the task's work is done (further requests in this task are then refused).")]
    public async Task<CallToolResult> ReleaseAccessAsync(
        [Description("The lease id to release (ls_..., from request_access or list_access).")] string? lease_id = null,
        [Description("true to release every lease of this task and finish the task.")] bool all = false,
        CancellationToken cancellationToken = default) => await GuardAsync("release_access", ReleaseError, async () =>
    {
        if (all)
        {
            var task = await broker.GetCurrentTaskAsync(cancellationToken);
            var done = await broker.CompleteTaskAsync(task.Id, cancellationToken);
            LogTaskReleased(task.Id, done.LeasesRevoked, done.RevocationsFailed);
            if (done.RevocationsFailed > 0)
            {
                var failed = $"Task {task.Id} is finished, but {done.RevocationsFailed} revocation(s) failed and the broker keeps retrying them.";
                return Error(failed, new ReleaseOutput("failed", failed, null, task.Id, done.LeasesRevoked, done.RevocationsFailed));
            }

            var finished = $"Task {task.Id} is finished: {done.LeasesRevoked} lease(s) revoked and verified. Further requests in this task will be refused.";
            return Ok(finished, new ReleaseOutput("task_completed", finished, null, task.Id, done.LeasesRevoked, 0));
        }

        if (string.IsNullOrWhiteSpace(lease_id))
        {
            return ArgumentError(ReleaseError, "lease_id", "a lease id such as ls_... (see list_access), or all=true",
                "Give lease_id (see list_access), or all=true to release everything and finish the task.");
        }

        var released = await broker.ReleaseLeaseAsync(lease_id, cancellationToken);
        LogLeaseReleased(released.Lease, released.Outcome, released.State);
        var message = released.Outcome switch
        {
            "failed" => $"Revoking lease {released.Lease} failed; the broker keeps retrying it (state {released.State}). Tell the user.",
            "revoked" => $"Lease {released.Lease} is revoked and verified: its credential no longer works.",
            "alreadydone" => $"Lease {released.Lease} was already revoked or never issued; nothing to do.",
            _ => $"Lease {released.Lease}: {released.Outcome} (state {released.State}).",
        };
        var output = new ReleaseOutput(released.Outcome, message, released.Lease, null, released.Outcome == "revoked" ? 1 : 0, released.Outcome == "failed" ? 1 : 0);
        return released.Outcome == "failed" ? Error(message, output) : Ok(message, output);
    });

    internal static CallToolResult Render(RequestOutcomeView outcome, TimeSpan pollInterval)
    {
        var structured = AccessOutputs.Of(outcome, pollInterval);
        var text = new StringBuilder();
        var request = outcome.Request;
        var assessment = request.Assessment;
        switch (outcome.Outcome)
        {
            case "granted":
                var credential = outcome.Credential!;
                var lease = outcome.Lease!;
                text.AppendLine(CultureInfo.InvariantCulture, $"GRANTED: request {request.Id}, lease {lease.Id}, until {lease.ExpiresAt.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'} ({FormatLeft(lease.SecondsLeft)} left).");
                text.AppendLine(CultureInfo.InvariantCulture, $"Scope: {string.Join(", ", lease.Actions)} on {string.Join(", ", lease.Resources)} (target {lease.Target}); nothing else.");
                if (DurationNotes.Of(request) is { } capped)
                {
                    text.AppendLine(capped);
                }

                text.AppendLine("Environment variables (set them only for the commands of this step):");
                foreach (var (name, value) in credential.EnvironmentVariables)
                {
                    text.AppendLine(CultureInfo.InvariantCulture, $"  {name}={value}");
                }

                foreach (var (name, value) in credential.Forms)
                {
                    text.AppendLine(CultureInfo.InvariantCulture, $"{name}: {value}");
                }

                text.AppendLine(CultureInfo.InvariantCulture, $"How it ends: {credential.RevocationNote}");
                text.AppendLine(CultureInfo.InvariantCulture, $"Do not write these values to files, logs or commits. Call release_access with lease_id '{lease.Id}' as soon as the step is done.");
                return Ok(text.ToString(), structured);

            case "pending_approval":
                text.AppendLine(CultureInfo.InvariantCulture, $"PENDING: request {request.Id} needs {outcome.Quorum} approval(s) from group '{outcome.ApproverGroup}' ({string.Join(", ", outcome.Approvers ?? [])}) before {outcome.ApprovalExpiresAt?.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}.");
                AppendHumanReview(text, outcome);
                AppendReasons(text, assessment);
                if (DurationNotes.Of(request) is { } cap)
                {
                    text.AppendLine(cap);
                }

                text.AppendLine(CultureInfo.InvariantCulture, $"Call check_request with request_id '{request.Id}' to wait for the decision (up to 50 seconds per call; call it again while it is pending).");
                return Ok(text.ToString(), structured);

            case "evaluated":
                text.AppendLine(outcome.Message);
                AppendReasons(text, assessment);
                return Ok(text.ToString(), structured);

            case "denied":
                text.AppendLine(CultureInfo.InvariantCulture, $"DENIED: request {request.Id} ({string.Join(", ", request.Actions)} on {string.Join(", ", request.Resources)}, target {request.Target}).");
                AppendHumanReview(text, outcome);
                AppendReasons(text, assessment);
                text.AppendLine(assessment?.NarrowerRequest is null
                    ? "Do not repeat this request: denials count against the task, and repeated ones hand it to a human. Ask for less (see describe_targets), or tell the user what you need and why."
                    : "Do not repeat this request: denials count against the task, and repeated ones hand it to a human. Ask for the narrower request above, or tell the user what you need and why.");
                return Error(text.ToString(), structured);

            default:
                text.AppendLine(CultureInfo.InvariantCulture, $"{outcome.Outcome.ToUpperInvariant().Replace('_', ' ')}: request {request.Id}. {outcome.Message}");
                AppendHumanReview(text, outcome);
                AppendReasons(text, assessment);
                return Error(text.ToString(), structured);
        }
    }

    private static void AppendHumanReview(StringBuilder text, RequestOutcomeView outcome)
    {
        if (outcome.HumanReviewMode)
        {
            text.AppendLine("This task is now in human-review mode after repeated denials: every further request in it goes to a person. Tell the user.");
        }
    }

    private static void AppendReasons(StringBuilder text, AssessmentView? assessment)
    {
        if (assessment is null)
        {
            return;
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"Risk score {assessment.Score}/100. Why:");
        foreach (var reason in assessment.Reasons)
        {
            text.AppendLine("  - " + reason);
        }

        foreach (var factor in assessment.Factors.Where(f => f.Points != 0).OrderByDescending(f => Math.Abs(f.Points)))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  {(factor.Points > 0 ? "+" : string.Empty)}{factor.Points}: {factor.Explanation}");
        }

        if (assessment.NarrowerRequest is { } narrower)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"A narrower request that would be granted: call request_access with resources {Quoted(narrower.Resources)}, actions {Quoted(narrower.Actions)}, duration \"{narrower.Duration}\". {narrower.Explanation}");
        }
    }

    private async Task<CallToolResult> GuardAsync<T>(string tool, Func<ToolError, T> failed, Func<Task<CallToolResult>> call)
    {
        try
        {
            return await call();
        }
        catch (BrokerClientException exception)
        {
            // Broker messages are written for callers; they never hold secrets or internal exception text. The inner
            // exception (socket errors and the like) stays out of both the result and the log line.
            LogBrokerRefused(tool, exception.Status, exception.Code);
            var hint = exception.Status == 0 ? " Tell the user the access broker is not running or not reachable." : string.Empty;
            var message = $"{exception.Message.TrimEnd('.')} (code {exception.Code}).{hint}";
            return Error(message, failed(new ToolError(exception.Code, message, ToolArguments.FieldOf(tool, exception.Code))));
        }
        catch (Exception exception) when (exception is JsonException or NotSupportedException)
        {
            LogUnreadableAnswer(tool, exception.GetType().Name);
            const string message = "The broker's answer could not be read. Tell the user to check that the broker and the MCP server are the same version.";
            return Error(message, failed(new ToolError("unreadable_answer", message)));
        }
    }

    private static AccessOutput AccessError(ToolError error) => AccessOutputs.Failed(error);

    private static ReleaseOutput ReleaseError(ToolError error) => new("error", error.Message, null, null, 0, 0, error);

    private static CallToolResult ArgumentError<T>(Func<ToolError, T> failed, string field, string expected, string message) =>
        Error(message, failed(new ToolError("invalid_argument", message, field, expected)));

    private static LeaseOutput LeaseOf(LeaseView lease) =>
        new(lease.Id, lease.Target, lease.Resources, lease.Actions, lease.State, lease.ExpiresAt, lease.SecondsLeft);

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "{Tool}: request {RequestId} on {Target} is {Outcome} (lease {LeaseId})")]
    private partial void LogOutcome(string tool, string requestId, string target, string outcome, string? leaseId);

    [LoggerMessage(EventId = 11, Level = LogLevel.Information, Message = "release_access: lease {LeaseId} {Outcome} (state {State})")]
    private partial void LogLeaseReleased(string leaseId, string outcome, string state);

    [LoggerMessage(EventId = 12, Level = LogLevel.Information, Message = "release_access: task {TaskId} completed, {Revoked} lease(s) revoked, {Failed} revocation(s) failed")]
    private partial void LogTaskReleased(string taskId, int revoked, int failed);

    [LoggerMessage(EventId = 13, Level = LogLevel.Warning, Message = "{Tool}: the broker refused or could not be reached (status {Status}, code {Code})")]
    private partial void LogBrokerRefused(string tool, int status, string code);

    [LoggerMessage(EventId = 14, Level = LogLevel.Warning, Message = "{Tool}: the broker's answer could not be read ({ErrorType})")]
    private partial void LogUnreadableAnswer(string tool, string errorType);

    private static string Quoted(IEnumerable<string> values) => "[" + string.Join(", ", values.Select(v => $"\"{v}\"")) + "]";

    private static string FormatLeft(long seconds) =>
        seconds >= 3600 ? $"{seconds / 3600}h{seconds % 3600 / 60:00}m" : seconds >= 60 ? $"{seconds / 60}m{seconds % 60:00}s" : $"{seconds}s";

    private static CallToolResult Ok<T>(string text, T structured) => ToolResult.Of(text, structured, isError: false);

    private static CallToolResult Error<T>(string text, T structured) => ToolResult.Of(text, structured, isError: true);
}
