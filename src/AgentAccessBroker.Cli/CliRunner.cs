using System.CommandLine;
using AgentAccessBroker.Brokering;
using AgentAccessBroker.Client;
using AgentAccessBroker.LocalPostgres;
using AgentAccessBroker.Server.Hosting;

namespace AgentAccessBroker.Cli;

/// <summary>Runs a command; every failure becomes one line on stderr and a non-zero exit code.</summary>
internal static class CliRunner
{
    public static async Task<int> RunAsync(RootCommand root, string[] args)
    {
        try
        {
            return await root.Parse(args).InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception exception) when (Describe(exception) is { } line)
        {
            // A start-up failure lists one configuration problem per line.
            await Console.Error.WriteLineAsync(AgentAccessBroker.Text.UntrustedText.Sanitise("aab: " + line.Message, keepLineBreaks: exception is BrokerStartupException));
            if (Environment.GetEnvironmentVariable("AAB_DEBUG") == "1")
            {
                await Console.Error.WriteLineAsync(exception.ToString());
            }

            return line.ExitCode;
        }
    }

    private static (string Message, int ExitCode)? Describe(Exception exception) => exception switch
    {
        CliException cli => (cli.Message, cli.ExitCode),
        BrokerClientException { Status: 401 } client when CliContext.Identity is { } identity =>
            ($"the broker does not accept {identity.Describe()}: {client.Message} ({client.Code})", 1),
        BrokerClientException { Status: 403 } client when CliContext.Identity is { } identity =>
            ($"{client.Message} The CLI used {identity.Describe()}. ({client.Code})", 1),
        BrokerClientException client => ($"{client.Message} ({client.Code})", client.Status == 0 ? 3 : 1),
        BrokerStartupException startup => (startup.Message, 2),
        BrokerError broker => ($"{broker.Message} ({broker.Code})", 1),
        LocalPostgresUnavailableException postgres => (postgres.Message, 2),
        IOException io => (io.Message, 1),
        UnauthorizedAccessException access => (access.Message, 1),
        OperationCanceledException => ("cancelled", 130),
        _ => ($"unexpected failure ({exception.GetType().Name}); run with AAB_DEBUG=1 for details", 1),
    };
}
