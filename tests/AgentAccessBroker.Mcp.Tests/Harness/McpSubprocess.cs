using System.Collections.Concurrent;
using ModelContextProtocol.Client;

namespace AgentAccessBroker.Mcp.Tests.Harness;

/// <summary>
/// <c>dotnet aab.dll mcp</c> as a real child process, driven over stdio by the SDK's own client, the way Claude Code,
/// Cursor or VS Code launch it. Every stderr line is kept for assertions.
/// </summary>
internal sealed class McpSubprocess : IAsyncDisposable
{
    private readonly ConcurrentQueue<string> _stderr;

    private McpSubprocess(McpClient client, ConcurrentQueue<string> stderr)
    {
        Client = client;
        _stderr = stderr;
    }

    public McpClient Client { get; }

    /// <summary>Everything the server wrote to stderr so far.</summary>
    public string StandardError => string.Join('\n', _stderr);

    public static Task<McpSubprocess> StartAsync(Uri server, string agentToken, string taskToken, string logLevel = "information") =>
        StartAsync(new Dictionary<string, string>
        {
            ["AAB_SERVER"] = server.ToString(),
            ["AAB_TOKEN"] = agentToken,
            ["AAB_TASK_TOKEN"] = taskToken,
            ["AAB_LOG_LEVEL"] = logLevel,
        });

    public static async Task<McpSubprocess> StartAsync(IReadOnlyDictionary<string, string> variables)
    {
        var stderr = new ConcurrentQueue<string>();
        var transport = new StdioClientTransport(new StdioClientTransportOptions
        {
            Name = "aab-mcp",
            Command = "dotnet",
            Arguments = [AabCli.Dll, "mcp"],
            InheritEnvironmentVariables = false,
            EnvironmentVariables = AabCli.Environment(variables),
            StandardErrorLines = stderr.Enqueue,
        });
        using var startup = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var client = await McpClient.CreateAsync(transport, cancellationToken: startup.Token);
        return new McpSubprocess(client, stderr);
    }

    public ValueTask DisposeAsync() => Client.DisposeAsync();
}
