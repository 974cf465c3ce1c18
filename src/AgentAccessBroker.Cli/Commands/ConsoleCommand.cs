using System.CommandLine;

namespace AgentAccessBroker.Cli.Commands;

/// <summary><c>aab console</c>: prints a one-time sign-in link to the web console, for a single machine without single sign-on.</summary>
internal static class ConsoleCommand
{
    public static Command Create()
    {
        var person = new Option<string?>("--as") { Description = "Sign in as this person (admins only; default: the token's own principal)" };
        var command = new Command("console", "Print a one-time sign-in link to the web console (short-lived, works once).") { person };
        command.SetAction(async (result, cancellationToken) =>
        {
            using var client = CliContext.Connect(result.GetValue(CommonOptions.Server), result.GetValue(CommonOptions.Token));
            var link = await client.CreateConsoleLinkAsync(result.GetValue(person), cancellationToken);
            Output.Field("signs in as", link.Principal);
            Output.Field("expires", link.ExpiresAt.ToString("u"));
            Output.Styled("yellow", "Open this link in your browser (it works once):");
            Console.Out.WriteLine(link.Url.AbsoluteUri);
            return 0;
        });
        return command;
    }
}
