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
        var listing = new Listing();
        listing.AddTo(command);
        command.SetAction(async (result, cancellationToken) =>
        {
            using var client = CliContext.Connect(result.GetValue(CommonOptions.Server), result.GetValue(CommonOptions.Token));
            var leases = await client.ListLeasesAsync(result.GetValue(task), result.GetValue(state), cancellationToken);
            listing.Print(result, leases,
                [TableColumn.Id("id"), TableColumn.Text("agent", dropOrder: 2), TableColumn.Text("target", 6, dropOrder: 3), TableColumn.Text("actions", 6), TableColumn.Text("resources", 12),
                    TableColumn.Text("state", 8), TableColumn.Exact("expires", dropOrder: 1), TableColumn.Exact("left"), TableColumn.Text("last error", 10)],
                l => [l.Id, l.Agent, l.Target, string.Join(" ", l.Actions), string.Join(" ", l.Resources), l.State,
                    Output.Time(l.ExpiresAt), l.SecondsLeft > 0 ? Left(l.SecondsLeft) : "-", l.LastError],
                l => l.Id);
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
            Output.Line(released.Outcome switch
            {
                "revoked" => $"Lease {released.Lease} revoked and verified: its credential no longer works.",
                "alreadydone" => $"Lease {released.Lease} was already {Snake(released.State)}; nothing to do.",
                _ => $"Lease {released.Lease}: {released.Outcome} (state {Snake(released.State)}).",
            });
            return released.Outcome == "failed" ? 1 : 0;
        });
        return command;
    }

    private static string Left(long seconds) => TimeSpan.FromSeconds(seconds) switch
    {
        { TotalHours: >= 1 } t => $"{(int)t.TotalHours}h{t.Minutes:00}m",
        var t => $"{t.Minutes}m{t.Seconds:00}s",
    };

    // The release endpoint names states in PascalCase (RevocationFailed); print them the way listings do.
    private static string Snake(string state) => System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(state);
}
