using System.CommandLine;
using AgentAccessBroker.Client;

namespace AgentAccessBroker.Cli.Commands;

/// <summary><c>aab task start|complete|list</c>.</summary>
internal static class TaskCommands
{
    public static Command Create()
    {
        var agent = new Option<string>("--agent") { Description = "The agent that will do the task", Required = true };
        var description = new Option<string>("--description") { Description = "What the task is, in plain words", Required = true };
        var scope = new Option<string[]>("--scope") { Description = "Targets, resources or nouns the work should touch (repeatable)", AllowMultipleArgumentsPerToken = true };
        var environment = new Option<string?>("--environment") { Description = "dev, staging or prod" };
        var deadline = new Option<string?>("--deadline") { Description = "Ends every lease of the task by then: a duration from now (2h) or an ISO-8601 time" };
        var format = new Option<string>("--format") { Description = "text, or env: 'export AAB_TASK_ID=…' and 'export AAB_TASK_TOKEN=…' lines for eval", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "env");
        var start = new Command("start", "Declare a task; prints its id and the task token for the agent's MCP configuration.") { agent, description, scope, environment, deadline, format };
        start.SetAction(async (result, cancellationToken) =>
        {
            using var client = CliContext.Connect(result.GetValue(CommonOptions.Server), result.GetValue(CommonOptions.Token));
            var started = await client.StartTaskAsync(new StartTaskBody(result.GetValue(agent)!, result.GetValue(description)!, result.GetValue(scope) ?? [],
                result.GetValue(environment), ParseDeadline(result.GetValue(deadline))), cancellationToken);
            if (result.GetValue(format) == "env")
            {
                Output.Line($"export AAB_TASK_ID='{started.Task.Id}'");
                Output.Line($"export AAB_TASK_TOKEN='{started.TaskToken}'");
                return 0;
            }

            Output.Field("task", started.Task.Id);
            Output.Field("agent", started.Task.Agent);
            Output.Styled("yellow", "Task token (shown once; put it in the agent's MCP configuration as AAB_TASK_TOKEN):");
            Console.Out.WriteLine(started.TaskToken);
            return 0;
        });

        var id = new Argument<string>("task") { Description = "Task id" };
        var complete = new Command("complete", "Complete a task and revoke every credential issued under it.") { id };
        complete.SetAction(async (result, cancellationToken) =>
        {
            using var client = CliContext.Connect(result.GetValue(CommonOptions.Server), result.GetValue(CommonOptions.Token));
            var done = await client.CompleteTaskAsync(result.GetValue(id)!, cancellationToken);
            Output.Line(done.AlreadyCompleted
                ? $"Task {done.Task.Id} was already completed; {done.LeasesRevoked} leftover lease(s) revoked now."
                : $"Task {done.Task.Id} completed; {done.LeasesRevoked} lease(s) revoked.");
            if (done.RevocationsFailed > 0)
            {
                throw new CliException($"{done.RevocationsFailed} revocation(s) failed and will be retried; see 'aab leases --task {done.Task.Id}'.");
            }

            return 0;
        });

        var cancelId = new Argument<string>("task") { Description = "Task id" };
        var cancel = new Command("cancel", "Cancel a task: withdraw its open requests and revoke every credential issued under it.") { cancelId };
        cancel.SetAction(async (result, cancellationToken) =>
        {
            using var client = CliContext.Connect(result.GetValue(CommonOptions.Server), result.GetValue(CommonOptions.Token));
            var done = await client.CancelTaskAsync(result.GetValue(cancelId)!, cancellationToken);
            Output.Line(done.AlreadyCompleted
                ? $"Task {done.Task.Id} had already ended ({done.Task.State}); {done.LeasesRevoked} leftover lease(s) revoked now."
                : $"Task {done.Task.Id} cancelled; {done.LeasesRevoked} lease(s) revoked.");
            return done.RevocationsFailed > 0
                ? throw new CliException($"{done.RevocationsFailed} revocation(s) failed and will be retried; see 'aab leases --task {done.Task.Id}'.")
                : 0;
        });

        var state = new Option<string?>("--state") { Description = "active, completed, cancelled or expired" };
        var list = new Command("list", "List tasks.") { state };
        var listing = new Listing();
        listing.AddTo(list);
        list.SetAction(async (result, cancellationToken) =>
        {
            using var client = CliContext.Connect(result.GetValue(CommonOptions.Server), result.GetValue(CommonOptions.Token));
            var tasks = await client.ListTasksAsync(result.GetValue(state), cancellationToken);
            listing.Print(result, tasks,
                [TableColumn.Id("id"), TableColumn.Text("agent"), TableColumn.Text("owner", dropOrder: 2), TableColumn.Text("state", 9), TableColumn.Exact("created", dropOrder: 1), TableColumn.Text("description", 12)],
                t => [t.Id, t.Agent, t.Owner, t.State, Output.Time(t.CreatedAt), t.Description],
                t => t.Id);
            return 0;
        });

        return new Command("task", "Declare, complete, cancel and list tasks.") { start, complete, cancel, list };
    }

    private static DateTimeOffset? ParseDeadline(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        if (Policy.PolicyDuration.TryParse(text, out var fromNow))
        {
            return DateTimeOffset.UtcNow + fromNow;
        }

        return DateTimeOffset.TryParse(text, out var at) ? at : throw new CliException($"'{text}' is not a duration (2h) or a time (2026-11-21T18:00:00Z).");
    }
}
