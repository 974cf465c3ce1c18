using System.CommandLine;
using AgentAccessBroker.Client;

namespace AgentAccessBroker.Cli.Commands;

/// <summary><c>aab request</c> (as an agent), <c>aab requests</c>, <c>aab approve</c> and <c>aab deny</c>.</summary>
internal static class RequestCommands
{
    public static Command CreateRequest()
    {
        var target = new Option<string>("--target") { Description = "Policy target", Required = true };
        var resources = new Option<string[]>("--resource") { Description = "Resource (repeatable)", Required = true, AllowMultipleArgumentsPerToken = true };
        var actions = new Option<string[]>("--action") { Description = "Action (repeatable)", Required = true, AllowMultipleArgumentsPerToken = true };
        var purpose = new Option<string>("--purpose") { Description = "Why the access is needed", Required = true };
        var duration = new Option<string>("--duration") { Description = "How long (15m, 1h)", DefaultValueFactory = _ => "15m" };
        var dryRun = new Option<bool>("--dry-run") { Description = "Only show the decision" };
        var command = new Command("request", "Request access as an agent (needs AAB_TOKEN of an agent and AAB_TASK_TOKEN).") { target, resources, actions, purpose, duration, dryRun };
        command.SetAction(async (result, cancellationToken) =>
        {
            using var client = CliContext.Connect(result.GetValue(CommonOptions.Server), result.GetValue(CommonOptions.Token));
            var outcome = await client.SubmitRequestAsync(new AccessRequestBody(result.GetValue(target)!, result.GetValue(resources)!, result.GetValue(actions)!,
                result.GetValue(purpose)!, result.GetValue(duration)!, result.GetValue(dryRun)), cancellationToken);
            PrintOutcome(outcome);
            return outcome.Outcome is "granted" or "evaluated" or "pending_approval" ? 0 : 4;
        });
        return command;
    }

    public static Command CreateRequests()
    {
        var status = new Option<string?>("--status") { Description = "pending, approved, issued, denied, expired or failed" };
        var task = new Option<string?>("--task") { Description = "Only this task" };
        var command = new Command("requests", "List access requests (approvers see every pending request).") { status, task };
        command.SetAction(async (result, cancellationToken) =>
        {
            using var client = CliContext.Connect(result.GetValue(CommonOptions.Server), result.GetValue(CommonOptions.Token));
            var requests = await client.ListRequestsAsync(result.GetValue(status), result.GetValue(task), cancellationToken);
            Output.Table(["id", "agent", "task", "target", "actions", "resources", "status", "score", "purpose"],
                requests.Select(r => new[]
                {
                    r.Id, r.Agent, r.Task, r.Target, string.Join(" ", r.Actions), string.Join(" ", r.Resources), r.Status,
                    r.Assessment?.Score.ToString(System.Globalization.CultureInfo.InvariantCulture), r.Purpose,
                }));
            return 0;
        });
        return command;
    }

    public static Command CreateVote(bool approve)
    {
        var id = new Argument<string>("request") { Description = "Request id" };
        var duration = new Option<string?>("--duration") { Description = "Approve for a shorter time (15m)" };
        var comment = new Option<string?>("--comment") { Description = "Why" };
        var command = approve
            ? new Command("approve", "Approve a pending request (as an approver).") { id, duration, comment }
            : new Command("deny", "Deny a pending request (as an approver).") { id, comment };
        command.SetAction(async (result, cancellationToken) =>
        {
            using var client = CliContext.Connect(result.GetValue(CommonOptions.Server), result.GetValue(CommonOptions.Token));
            var body = new VoteBody(approve ? result.GetValue(duration) : null, result.GetValue(comment));
            var vote = approve ? await client.ApproveAsync(result.GetValue(id)!, body, cancellationToken) : await client.DenyAsync(result.GetValue(id)!, body, cancellationToken);
            Output.Line($"{vote.Message} Request {vote.Request} is {vote.Status} (approvals: {string.Join(", ", vote.Approvals)}; denials: {string.Join(", ", vote.Denials)}).");
            return 0;
        });
        return command;
    }

    private static void PrintOutcome(RequestOutcomeView outcome)
    {
        Output.Field("request", outcome.Request.Id);
        Output.Field("outcome", outcome.Outcome);
        Output.Line(outcome.Message);
        if (outcome.Request.Assessment is { } assessment)
        {
            Output.Field("score", assessment.Score.ToString(System.Globalization.CultureInfo.InvariantCulture));
            foreach (var factor in assessment.Factors)
            {
                Output.Line($"  {(factor.Points >= 0 ? "+" : string.Empty)}{factor.Points,3}  {factor.Explanation}");
            }

            if (assessment.NarrowerRequest is { } narrower)
            {
                Output.Line($"Would be granted instead: {string.Join(" ", narrower.Actions)} on {string.Join(" ", narrower.Resources)} for {narrower.Duration} ({narrower.Explanation})");
            }
        }

        if (outcome.Credential is { } credential)
        {
            Output.Styled("yellow", "Credential (shown once):");
            foreach (var (name, value) in credential.EnvironmentVariables)
            {
                Console.Out.WriteLine($"export {name}='{value.Replace("'", "'\\''", StringComparison.Ordinal)}'");
            }
        }
    }
}
