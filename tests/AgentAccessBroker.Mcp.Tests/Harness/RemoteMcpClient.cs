using System.Diagnostics;
using System.Text.Json;
using AgentAccessBroker.WebConsole.Tests;

namespace AgentAccessBroker.Mcp.Tests.Harness;

/// <summary>The official MCP TypeScript SDK client (remote-mcp-client.mjs under node), one JSON command and answer per line.</summary>
internal sealed class RemoteMcpClient : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Task<string> _errors;

    private RemoteMcpClient(Process process)
    {
        _process = process;
        _errors = process.StandardError.ReadToEndAsync();
    }

    public static async Task<RemoteMcpClient> StartAsync(Uri mcp)
    {
        var modules = await NodeTools.NodeModulesAsync();
        var start = new ProcessStartInfo("node")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            ArgumentList = { Path.Combine(AppContext.BaseDirectory, "remote-mcp-client.mjs"), modules, mcp.AbsoluteUri },
        };
        return new RemoteMcpClient(Process.Start(start) ?? throw new InvalidOperationException("could not start node"));
    }

    public Task<JsonElement> ConnectAsync(IReadOnlyDictionary<string, string> headers) => SendAsync(new { op = "connect", headers });

    /// <summary>Launches <c>dotnet aab.dll mcp</c> with these variables and speaks to it over stdio instead.</summary>
    public Task<JsonElement> ConnectStdioAsync(IReadOnlyDictionary<string, string> variables) =>
        SendAsync(new { op = "connect", stdio = new { command = "dotnet", args = new[] { AabCli.Dll, "mcp" }, env = AabCli.Environment(variables) } });

    public Task<JsonElement> ListAsync() => SendAsync(new { op = "list" });

    public Task<JsonElement> CallAsync(string name, object? args = null) => SendAsync(new { op = "call", name, args = args ?? new { } });

    private async Task<JsonElement> SendAsync(object command)
    {
        await _process.StandardInput.WriteLineAsync(JsonSerializer.Serialize(command));
        await _process.StandardInput.FlushAsync();
        var line = await _process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(150));
        return line is null
            ? throw new InvalidOperationException("the TypeScript client ended: " + await _errors)
            : JsonDocument.Parse(line).RootElement.Clone();
    }

    public async ValueTask DisposeAsync()
    {
        _process.StandardInput.Close();
        if (!_process.WaitForExit(TimeSpan.FromSeconds(10)))
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
