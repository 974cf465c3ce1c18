using System.CommandLine;

namespace AgentAccessBroker.Cli.Commands;

/// <summary><c>aab leases</c> and <c>aab release</c>.</summary>
internal static class LeaseCommands
{
    public static Command CreateList()
    {
        var task = new Option<string?>("--task") { Description = "Only this task" };
        var state = new Option<string?>("--state") { Description = "live, active, revoked, revocation_failed..." };
        var command = new Command("leases", "List leases: what was minted, until when, and its revocation state.") { task, state };
        command.SetAction(async (result, cancellationToken) =>
        {
            using var client = CliContext.Connect(result.GetValue(CommonOptions.Server), result.GetValue(CommonOptions.Token));
            var leases = await client.ListLeasesAsync(result.GetValue(task), result.GetValue(state), cancellationToken);
            Output.Table(["id", "agent", "task", "target", "actions", "resources", "state", "expires", "left", "last error"],
                leases.Select(l => new[]
                {
                    l.Id, l.Agent, l.Task, l.Target, string.Join(" ", l.Actions), string.Join(" ", l.Resources), l.State,
                    l.ExpiresAt.ToString("u"), l.SecondsLeft > 0 ? TimeSpan.FromSeconds(l.SecondsLeft).ToString() : "-", l.LastError,
                }));
            return 0;
        });
        return command;
    }

    public static Command CreateRelease()
    {
        var id = new Argument<string>("lease") { Description = "Lease id" };
        var command = new Command("release", "Revoke one lease now.") { id };
        command.SetAction(async (result, cancellationToken) =>
        {
            using var client = CliContext.Connect(result.GetValue(CommonOptions.Server), result.GetValue(CommonOptions.Token));
            var released = await client.ReleaseLeaseAsync(result.GetValue(id)!, cancellationToken);
            Output.Line($"Lease {released.Lease}: {released.Outcome} (state {released.State}).");
            return released.Outcome == "failed" ? 1 : 0;
        });
        return command;
    }
}
