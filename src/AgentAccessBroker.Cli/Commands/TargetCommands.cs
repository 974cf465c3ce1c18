using System.CommandLine;

namespace AgentAccessBroker.Cli.Commands;

/// <summary><c>aab targets</c>: what can be asked for, one row per catalogue entry with its own durations.</summary>
internal static class TargetCommands
{
    public static Command Create()
    {
        var command = new Command("targets", "List targets and their resources, with each resource's normal and maximum duration.");
        var listing = new Listing();
        listing.AddTo(command);
        command.SetAction(async (result, cancellationToken) =>
        {
            using var client = CliContext.Connect(result.GetValue(CommonOptions.Server), result.GetValue(CommonOptions.Token));
            var targets = await client.ListTargetsAsync(cancellationToken);
            if (result.GetValue(listing.Json) || result.GetValue(listing.Quiet))
            {
                listing.Print(result, targets, [], _ => [], t => t.Name);
                return 0;
            }

            Output.Table(
                [TableColumn.Id("target"), TableColumn.Text("connector", dropOrder: 2), TableColumn.Id("resource"), TableColumn.Text("sensitivity", 6), TableColumn.Text("env", 4),
                    TableColumn.Exact("normal"), TableColumn.Exact("max"), TableColumn.Text("actions", 10, dropOrder: 1)],
                targets.SelectMany(t => t.Resources.Select(r => (IReadOnlyList<string?>)
                    [t.Name, t.Connector, r.Name, r.Sensitivity, r.Environment, r.NormalDuration, r.MaxDuration, string.Join(" ", t.SuggestedActions)])));
            return 0;
        });
        return command;
    }
}
