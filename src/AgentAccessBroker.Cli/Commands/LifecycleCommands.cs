using System.CommandLine;
using AgentAccessBroker.Client;

namespace AgentAccessBroker.Cli.Commands;

/// <summary>
/// Cutting principals and tasks off (admins only): <c>aab agent|user disable|enable|remove</c>, <c>aab token rotate</c>,
/// <c>aab lock</c>, <c>aab locks</c>, <c>aab unlock</c>.
/// </summary>
internal static class LifecycleCommands
{
    /// <summary>The disable, enable and remove subcommands of <c>aab agent</c> (<paramref name="agents"/>) or <c>aab user</c>.</summary>
    public static IEnumerable<Command> PrincipalActions(bool agents)
    {
        var noun = agents ? "agent" : "person";
        var descriptions = new Dictionary<string, string>
        {
            ["disable"] = $"Disable a {noun}: its token stops working, " + (agents ? "its pending and approved requests are withdrawn and every live credential is revoked now." : "and their votes are refused."),
            ["enable"] = $"Enable a disabled {noun} again (what was withdrawn or revoked stays so).",
            ["remove"] = $"Remove a {noun} for good: as disable, and the token is destroyed; the id stays reserved in the audit trail.",
        };
        foreach (var (action, description) in descriptions)
        {
            var id = new Argument<string>("id") { Description = agents ? "Agent id" : "Person id" };
            var reason = new Option<string?>("--reason") { Description = "Why (recorded in the audit trail)" };
            var command = new Command(action, description) { id, reason };
            command.SetAction(async (result, cancellationToken) =>
            {
                using var client = CliContext.Connect(result.GetValue(CommonOptions.Server), result.GetValue(CommonOptions.Token));
                var changed = await client.ChangePrincipalAsync(agents, result.GetValue(id)!, action, result.GetValue(reason), cancellationToken);
                Output.Line($"{changed.Id} is now {changed.Status}: {changed.LeasesRevoked} lease(s) revoked, {changed.RequestsWithdrawn} request(s) withdrawn.");
                return Failed(changed.RevocationsFailed);
            });
            yield return command;
        }
    }

    public static Command CreateToken()
    {
        var id = new Argument<string>("principal") { Description = "Agent or person id" };
        var expires = new Option<string?>("--expires-in") { Description = "Lifetime of the new token (30d, 12h); without it the token does not expire" };
        var rotate = new Command("rotate", "Give a principal a new token (shown once); the old token stops working at once.") { id, expires };
        rotate.SetAction(async (result, cancellationToken) =>
        {
            using var client = CliContext.Connect(result.GetValue(CommonOptions.Server), result.GetValue(CommonOptions.Token));
            var rotated = await client.RotateTokenAsync(result.GetValue(id)!, new RotateTokenBody(result.GetValue(expires)), cancellationToken);
            Output.Field("id", rotated.Id);
            Output.Styled("yellow", "New token (shown once, store it now; the old one no longer works):");
            Console.Out.WriteLine(rotated.Token);
            return 0;
        });
        return new Command("token", "Manage bearer tokens.") { rotate };
    }

    public static Command CreateLock()
    {
        var agent = new Option<string?>("--agent") { Description = "Lock an agent: its requests and claims are refused and its live credentials revoked now" };
        var user = new Option<string?>("--user") { Description = "Lock a person: their calls and votes are refused" };
        var task = new Option<string?>("--task") { Description = "Lock a task: its requests and claims are refused and its live credentials revoked now" };
        var reason = new Option<string>("--reason") { Description = "Why (shown to whoever the lock stops, and audited)", Required = true };
        var command = new Command("lock", "Lock an agent, a person or a task at once (name exactly one).") { agent, user, task, reason };
        command.SetAction(async (result, cancellationToken) =>
        {
            using var client = CliContext.Connect(result.GetValue(CommonOptions.Server), result.GetValue(CommonOptions.Token));
            var locked = await client.LockAsync(new LockBody(result.GetValue(agent), result.GetValue(user), result.GetValue(task), result.GetValue(reason)!), cancellationToken);
            Output.Field("lock", locked.Lock.Id);
            Output.Line($"{locked.Lock.Kind} {locked.Lock.Subject} is locked: {locked.LeasesRevoked} lease(s) revoked, {locked.RequestsWithdrawn} request(s) withdrawn.");
            return Failed(locked.RevocationsFailed);
        });
        return command;
    }

    public static Command CreateLocks()
    {
        var all = new Option<bool>("--all") { Description = "Include lifted locks" };
        var command = new Command("locks", "List locks in force.") { all };
        command.SetAction(async (result, cancellationToken) =>
        {
            using var client = CliContext.Connect(result.GetValue(CommonOptions.Server), result.GetValue(CommonOptions.Token));
            var locks = await client.ListLocksAsync(result.GetValue(all), cancellationToken);
            Output.Table(["id", "kind", "subject", "by", "since", "lifted", "reason"],
                locks.Select(l => new[] { l.Id, l.Kind, l.Subject, l.CreatedBy, l.CreatedAt.ToString("u"), l.LiftedAt?.ToString("u"), l.Reason }));
            return 0;
        });
        return command;
    }

    public static Command CreateUnlock()
    {
        var id = new Argument<string>("lock") { Description = "Lock id (see 'aab locks')" };
        var command = new Command("unlock", "Lift a lock. What it withdrew or revoked stays so.") { id };
        command.SetAction(async (result, cancellationToken) =>
        {
            using var client = CliContext.Connect(result.GetValue(CommonOptions.Server), result.GetValue(CommonOptions.Token));
            var lifted = await client.LiftLockAsync(result.GetValue(id)!, cancellationToken);
            Output.Line($"Lock {lifted.Id} on {lifted.Kind} {lifted.Subject} lifted.");
            return 0;
        });
        return command;
    }

    private static int Failed(int failures) => failures == 0
        ? 0
        : throw new CliException($"{failures} revocation(s) failed and will be retried by the broker; see 'aab leases'.");
}
