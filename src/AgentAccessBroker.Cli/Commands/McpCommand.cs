using System.CommandLine;
using AgentAccessBroker.Mcp;

namespace AgentAccessBroker.Cli.Commands;

/// <summary><c>aab mcp</c>: the stdio MCP server an agent's MCP client launches.</summary>
internal static class McpCommand
{
    public static Command Create()
    {
        var command = new Command("mcp", "Run the MCP server over stdio (reads AAB_SERVER, AAB_TOKEN, AAB_TASK_TOKEN).");
        command.SetAction(async (_, cancellationToken) =>
        {
            AgentMcpOptions options;
            try
            {
                options = AgentMcpOptions.FromEnvironment();
            }
            catch (InvalidOperationException missing)
            {
                throw new CliException(missing.Message, 2);
            }

            await AgentMcpServer.RunAsync(options, cancellationToken);
            return 0;
        });
        return command;
    }
}
