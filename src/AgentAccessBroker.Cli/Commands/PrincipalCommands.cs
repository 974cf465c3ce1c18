using System.CommandLine;
using AgentAccessBroker.Client;

namespace AgentAccessBroker.Cli.Commands;

/// <summary><c>aab agent add</c> and <c>aab user add</c>: register identities; each token is printed once.</summary>
internal static class PrincipalCommands
{
    public static Command CreateAgent()
    {
        var id = new Argument<string>("id") { Description = "Agent id, as named in the policy" };
        var owner = new Option<string?>("--owner")
        {
            Description = "The person responsible for the agent (may not approve its requests). Taken from the policy when it declares the agent; refused if it disagrees",
        };
        var expires = new Option<string?>("--token-expires-in") { Description = "Lifetime of the token (30d, 12h); without it the token does not expire" };
        var quiet = QuietOption();
        var add = new Command("add", "Register an agent and print its token (shown once).") { id, owner, expires, quiet };
        add.SetAction(async (result, cancellationToken) =>
        {
            using var client = CliContext.Connect(result.GetValue(CommonOptions.Server), result.GetValue(CommonOptions.Token));
            var registered = await client.RegisterAgentAsync(new RegisterAgentBody(result.GetValue(id)!, result.GetValue(owner), result.GetValue(expires)), cancellationToken);
            PrintToken(registered, result.GetValue(quiet));
            return 0;
        });
        var agent = new Command("agent", "Register, disable, enable and remove agents.") { add };
        foreach (var action in LifecycleCommands.PrincipalActions(agents: true))
        {
            agent.Subcommands.Add(action);
        }

        return agent;
    }

    public static Command CreateUser()
    {
        var id = new Argument<string>("id") { Description = "Person id, as named in the policy's approver groups" };
        var roles = new Option<string[]>("--role") { Description = "approver, admin or auditor (repeatable)", Required = true, AllowMultipleArgumentsPerToken = true };
        var expires = new Option<string?>("--token-expires-in") { Description = "Lifetime of the token (30d, 12h); without it the token does not expire" };
        var quiet = QuietOption();
        var add = new Command("add", "Register a person and print their token (shown once).") { id, roles, expires, quiet };
        add.SetAction(async (result, cancellationToken) =>
        {
            using var client = CliContext.Connect(result.GetValue(CommonOptions.Server), result.GetValue(CommonOptions.Token));
            var registered = await client.RegisterPrincipalAsync(new RegisterPrincipalBody(result.GetValue(id)!, result.GetValue(roles)!, result.GetValue(expires)), cancellationToken);
            PrintToken(registered, result.GetValue(quiet));
            return 0;
        });
        var user = new Command("user", "Register, disable, enable and remove people (approvers, admins, auditors).") { add };
        foreach (var action in LifecycleCommands.PrincipalActions(agents: false))
        {
            user.Subcommands.Add(action);
        }

        return user;
    }

    private static Option<bool> QuietOption() => new("--quiet", "-q") { Description = "Print only the token, for token=$(aab ... -q)" };

    private static void PrintToken(RegisteredPrincipal registered, bool quiet)
    {
        if (quiet)
        {
            Console.Out.WriteLine(registered.Token);
            return;
        }

        Output.Field("id", registered.Id);
        Output.Field("roles", string.Join(", ", registered.Roles));
        Output.Styled("yellow", "Token (shown once, store it now):");
        Console.Out.WriteLine(registered.Token);
    }
}
