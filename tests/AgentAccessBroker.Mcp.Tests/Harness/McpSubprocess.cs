using ModelContextProtocol.Client;

namespace AgentAccessBroker.Mcp.Tests.Harness;

/// <summary>
/// <c>dotnet aab.dll mcp</c> as a real child process, driven over stdio by the SDK's own client, the way Claude Code,
/// Cursor or VS Code launch it. Every stderr line is kept for assertions.
/// </summary>
internal sealed class McpSubprocess : IAsyncDisposable
{
    private readonly StandardErrorLog _stderr;

    private McpSubprocess(McpClient client, StandardErrorLog stderr)
    {
        Client = client;
        _stderr = stderr;
    }

    public McpClient Client { get; }

    /// <summary>Everything the server wrote to stderr so far.</summary>
    public string StandardError => _stderr.Text;

    public static Task<McpSubprocess> StartAsync(BrokerWithTask broker, string logLevel = "information") =>
        StartAsync(broker.Host.Address, broker.AgentToken, broker.Task.TaskToken, logLevel);

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
        var stderr = new StandardErrorLog();
        var transport = new StdioClientTransport(new StdioClientTransportOptions
        {
            Name = "aab-mcp",
            Command = "dotnet",
            Arguments = [AabCli.Dll, "mcp"],
            InheritEnvironmentVariables = false,
            EnvironmentVariables = AabCli.Environment(variables),
            StandardErrorLines = stderr.Add,
        });
        using var startup = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        // The SDK's client first probes with server/discover (protocol 2026-07-28) and, when no answer comes within
        // DiscoverProbeTimeout (5 s by default), concludes the server needs the initialize handshake and sends
        // initialize on the same pipe. A cold 'dotnet aab.dll mcp' on a loaded machine can take longer than 5 s to
        // answer; it then reads the queued server/discover, settles on 2026-07-28, and refuses the initialize that
        // follows ("Method 'initialize' is not available on protocol version '2026-07-28'"). This server always
        // answers server/discover, so the probe is bounded only by the start-up budget.
        var client = await McpClient.CreateAsync(transport, new McpClientOptions { DiscoverProbeTimeout = Timeout.InfiniteTimeSpan }, cancellationToken: startup.Token);
        return new McpSubprocess(client, stderr);
    }

    /// <summary>Completes when a stderr line containing <paramref name="fragment"/> has arrived (log lines are written asynchronously).</summary>
    public Task WaitForStandardErrorAsync(string fragment) => _stderr.WaitForAsync(fragment).WaitAsync(TimeSpan.FromSeconds(10));

    public ValueTask DisposeAsync() => Client.DisposeAsync();

    private sealed class StandardErrorLog
    {
        private readonly List<string> _lines = [];
        private readonly List<(string Fragment, TaskCompletionSource Seen)> _waiters = [];

        public string Text
        {
            get
            {
                lock (_lines)
                {
                    return string.Join('\n', _lines);
                }
            }
        }

        public void Add(string line)
        {
            lock (_lines)
            {
                _lines.Add(line);
                foreach (var waiter in _waiters.Where(w => line.Contains(w.Fragment, StringComparison.Ordinal)).ToList())
                {
                    waiter.Seen.TrySetResult();
                    _waiters.Remove(waiter);
                }
            }
        }

        public Task WaitForAsync(string fragment)
        {
            lock (_lines)
            {
                if (_lines.Any(l => l.Contains(fragment, StringComparison.Ordinal)))
                {
                    return Task.CompletedTask;
                }

                var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiters.Add((fragment, seen));
                return seen.Task;
            }
        }
    }
}
