using System.Diagnostics;
using System.Text.Json;
using AgentAccessBroker.Mcp.Tests.Harness;
using AgentAccessBroker.Testing;
using AgentAccessBroker.Testing.Broker;
using ModelContextProtocol.Client;
using static AgentAccessBroker.Mcp.Tests.Harness.ToolResults;

namespace AgentAccessBroker.Mcp.Tests;

/// <summary>What the process itself promises: start-up checks, a clean stdout, no secret on stderr, fast failure.</summary>
[Collection(PostgresCollection.Name)]
public sealed class StdioProcessTests(PostgresFixture postgres)
{
    [Theory]
    [InlineData("describe_targets")]
    [InlineData("request_access")]
    [InlineData("list_access")]
    public async Task ToolCall_BrokerPortClosed_ReturnsClearErrorWithinFiveSeconds(string tool)
    {
        var closed = new Uri($"http://127.0.0.1:{AabCli.ClosedPort()}/");
        await using var mcp = await McpSubprocess.StartAsync(closed, "agent-token", "task-token");
        var args = tool == "request_access"
            ? Args(("target", "app-db"), ("resources", new[] { "app.public.invoices" }), ("actions", new[] { "SELECT" }), ("purpose", "read invoices"))
            : null;

        var clock = Stopwatch.StartNew();
        var result = await mcp.Client.CallToolAsync(tool, args);
        clock.Stop();

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
        Assert.True(result.IsError);
        Assert.Contains($"The broker at {closed} could not be reached", result.Text(), StringComparison.Ordinal);
        Assert.Contains("not running or not reachable", result.Text(), StringComparison.Ordinal);
        AssertNoInternals(result.Text());
    }

    [Theory]
    [InlineData(null, "task-token", "AAB_TOKEN not set")]
    [InlineData("agent-token", null, "AAB_TASK_TOKEN not set")]
    [InlineData(null, null, "AAB_TOKEN and AAB_TASK_TOKEN not set")]
    public async Task Mcp_MissingToken_ExitsNonZeroWithOneLineReason(string? agentToken, string? taskToken, string expected)
    {
        var variables = new Dictionary<string, string> { ["AAB_SERVER"] = "http://127.0.0.1:8470" };
        if (agentToken is not null)
        {
            variables["AAB_TOKEN"] = agentToken;
        }

        if (taskToken is not null)
        {
            variables["AAB_TASK_TOKEN"] = taskToken;
        }

        var (exitCode, stdout, stderr) = await AabCli.RunAsync(["mcp"], variables);

        Assert.Equal(2, exitCode);
        Assert.Equal(string.Empty, stdout);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("aab: " + expected, line, StringComparison.Ordinal);
        Assert.DoesNotContain("agent-token", line, StringComparison.Ordinal);
        Assert.DoesNotContain("task-token", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("AAB_SERVER", "ftp://127.0.0.1:8470", "AAB_SERVER 'ftp://127.0.0.1:8470' is not an http(s) URL")]
    [InlineData("AAB_SERVER", "not a url", "AAB_SERVER 'not a url' is not an http(s) URL")]
    [InlineData("AAB_LOG_LEVEL", "loud", "AAB_LOG_LEVEL 'loud' is not one of")]
    [InlineData("AAB_TASK_TOKEN", "${AAB_TASK_TOKEN}", "AAB_TASK_TOKEN holds an unexpanded placeholder")]
    public async Task Mcp_MalformedSetting_ExitsNonZeroWithOneLineReason(string name, string value, string expected)
    {
        var variables = new Dictionary<string, string> { ["AAB_TOKEN"] = "agent-token", ["AAB_TASK_TOKEN"] = "task-token", [name] = value };

        var (exitCode, stdout, stderr) = await AabCli.RunAsync(["mcp"], variables);

        Assert.Equal(2, exitCode);
        Assert.Equal(string.Empty, stdout);
        Assert.StartsWith("aab: " + expected, Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stdout_RawJsonRpcSession_CarriesOnlyProtocolWhileLogsGoToStderr()
    {
        await using var broker = await BrokerWithTask.StartAsync(postgres);
        var start = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(AabCli.Dll);
        start.ArgumentList.Add("mcp");
        start.Environment.Clear();
        foreach (var (name, value) in AabCli.Environment(new Dictionary<string, string>
        {
            ["AAB_SERVER"] = broker.Host.Address.ToString(), ["AAB_TOKEN"] = broker.AgentToken, ["AAB_TASK_TOKEN"] = broker.Task.TaskToken, ["AAB_LOG_LEVEL"] = "debug",
        }))
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var stdoutLines = new List<string>();
        async Task<JsonElement> CallAsync(int id, string method, string parameters)
        {
            await process.StandardInput.WriteLineAsync($$"""{"jsonrpc":"2.0","id":{{id}},"method":"{{method}}","params":{{parameters}}}""");
            await process.StandardInput.FlushAsync();
            while (true)
            {
                var line = await process.StandardOutput.ReadLineAsync(deadline.Token) ?? throw new InvalidOperationException("stdout closed early");
                stdoutLines.Add(line);
                using var message = JsonDocument.Parse(line);
                if (message.RootElement.TryGetProperty("id", out var replyTo) && replyTo.GetInt32() == id)
                {
                    return message.RootElement.Clone();
                }
            }
        }

        var initialized = await CallAsync(1, "initialize", """{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw-json-rpc","version":"1.0"}}""");
        await process.StandardInput.WriteLineAsync("""{"jsonrpc":"2.0","method":"notifications/initialized"}""");
        var listed = await CallAsync(2, "tools/list", "{}");
        var described = await CallAsync(3, "tools/call", """{"name":"describe_targets","arguments":{}}""");
        process.StandardInput.Close();
        stdoutLines.AddRange((await process.StandardOutput.ReadToEndAsync(deadline.Token)).Split('\n', StringSplitOptions.RemoveEmptyEntries));
        await process.WaitForExitAsync(deadline.Token);

        Assert.Equal("agent-access-broker", initialized.GetProperty("result").GetProperty("serverInfo").GetProperty("name").GetString());
        Assert.Equal(5, listed.GetProperty("result").GetProperty("tools").GetArrayLength());
        Assert.Contains("app-db", described.GetProperty("result").GetProperty("content")[0].GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.All(stdoutLines, line =>
        {
            using var message = JsonDocument.Parse(line);
            Assert.Equal("2.0", message.RootElement.GetProperty("jsonrpc").GetString());
        });
        Assert.Contains("aab mcp serving on stdio for the broker at", await stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(broker.AgentToken, await stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Grant_WithTraceLogging_WritesNoSecretToStderr()
    {
        await using var broker = await BrokerWithTask.StartAsync(postgres);
        string stderr;
        string password;
        string uri;
        await using (var mcp = await McpSubprocess.StartAsync(broker, logLevel: "trace"))
        {
            var read = broker.Host.ReadInvoices();
            var granted = await mcp.Client.CallToolAsync("request_access",
                Args(("target", read.Target), ("resources", read.Resources), ("actions", read.Actions), ("purpose", read.Purpose)));
            password = granted.Field("PGPASSWORD");
            uri = granted.Field("uri");
            var lease = granted.IdAfter("lease ");
            await mcp.Client.CallToolAsync("release_access", Args(("lease_id", lease)));
            await mcp.WaitForStandardErrorAsync($"is granted (lease {lease})");
            await mcp.WaitForStandardErrorAsync($"lease {lease} revoked");
            stderr = mcp.StandardError;
        }

        Assert.Contains("aab mcp serving on stdio", stderr, StringComparison.Ordinal);
        Assert.Contains("dbug:", stderr, StringComparison.Ordinal);
        Assert.True(password.Length >= 16);
        foreach (var secret in new[] { password, Uri.EscapeDataString(password), uri, broker.AgentToken, broker.Task.TaskToken })
        {
            Assert.DoesNotContain(secret, stderr, StringComparison.Ordinal);
        }
    }

    private static void AssertNoInternals(string text)
    {
        foreach (var internals in new[] { "Exception", "exception", "   at ", "Connection refused", "SocketException", "HttpRequestException", "errno" })
        {
            Assert.DoesNotContain(internals, text, StringComparison.Ordinal);
        }
    }
}
