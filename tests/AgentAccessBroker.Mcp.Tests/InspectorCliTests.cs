using System.Text.Json;
using System.Text.Json.Nodes;
using AgentAccessBroker.Mcp.Tests.Harness;
using AgentAccessBroker.Testing;
using AgentAccessBroker.Testing.Broker;

namespace AgentAccessBroker.Mcp.Tests;

/// <summary>An independent client (the MCP Inspector's CLI, Node.js, TypeScript SDK) lists and calls the tools of the real process.</summary>
[Collection(PostgresCollection.Name)]
public sealed class InspectorCliTests(PostgresFixture postgres, InspectorCli inspector) : IClassFixture<InspectorCli>
{
    [Fact]
    public async Task ToolsList_FromTheInspector_ShowsEveryToolWithSchemaAndHints()
    {
        var variables = new Dictionary<string, string?>
        {
            ["AAB_SERVER"] = $"http://127.0.0.1:{AabCli.ClosedPort()}",
            ["AAB_TOKEN"] = "agent-token",
            ["AAB_TASK_TOKEN"] = "task-token",
        };

        var (exitCode, stdout, stderr) = await inspector.RunAsync(["--cli", "dotnet", AabCli.Dll, "mcp", "--method", "tools/list"], inspector.WorkingDirectory, variables);

        Assert.True(exitCode == 0, stderr);
        using var listed = JsonDocument.Parse(stdout);
        var tools = listed.RootElement.GetProperty("tools").EnumerateArray().ToList();
        Assert.Equal(["check_request", "describe_targets", "list_access", "release_access", "request_access"], tools.Select(t => t.GetProperty("name").GetString()).Order());
        Assert.All(tools, t =>
        {
            var name = t.GetProperty("name").GetString()!;
            Assert.Equal("object", t.GetProperty("inputSchema").GetProperty("type").GetString());
            Assert.False(string.IsNullOrWhiteSpace(t.GetProperty("description").GetString()));
            Assert.Equal(name is "describe_targets" or "list_access", t.GetProperty("annotations").GetProperty("readOnlyHint").GetBoolean());
            Assert.Equal(name is "release_access", t.GetProperty("annotations").GetProperty("destructiveHint").GetBoolean());
        });
    }

    [Fact]
    public async Task DescribeTargets_ThroughTheDocumentedClaudeCodeConfig_AnswersFromTheBroker()
    {
        await using var broker = await BrokerWithTask.StartAsync(postgres);
        // A project laid out as docs/MCP.md says: the published CLI in .aab/bin, .mcp.json at the root.
        var project = Directory.CreateDirectory(Path.Combine(inspector.Prefix, "project")).FullName;
        Directory.CreateDirectory(Path.Combine(project, ".aab"));
        Directory.CreateSymbolicLink(Path.Combine(project, ".aab", "bin"), AppContext.BaseDirectory);
        var shell = new Dictionary<string, string>
        {
            ["AAB_SERVER"] = broker.Host.Address.ToString(), ["AAB_TOKEN"] = broker.AgentToken, ["AAB_TASK_TOKEN"] = broker.Task.TaskToken,
        };
        var config = McpDoc.Config("`.mcp.json`");
        var server = config["mcpServers"]!["aab"]!.AsObject();
        server["command"] = McpDoc.ExpandLikeClaudeCode((string)server["command"]!, shell);
        server["args"] = new JsonArray([.. server["args"]!.AsArray().Select(a => JsonValue.Create(McpDoc.ExpandLikeClaudeCode((string)a!, shell)))]);
        server["env"] = new JsonObject(server["env"]!.AsObject().ToDictionary(e => e.Key, e => (JsonNode?)JsonValue.Create(McpDoc.ExpandLikeClaudeCode((string)e.Value!, shell))));
        await File.WriteAllTextAsync(Path.Combine(project, ".mcp.json"), config.ToJsonString());

        var (exitCode, stdout, stderr) = await inspector.RunAsync(
            ["--cli", "--config", ".mcp.json", "--server", "aab", "--method", "tools/call", "--tool-name", "describe_targets"], project);

        Assert.True(exitCode == 0, stderr);
        using var called = JsonDocument.Parse(stdout);
        Assert.False(called.RootElement.TryGetProperty("isError", out var isError) && isError.GetBoolean(), stdout);
        var text = called.RootElement.GetProperty("content")[0].GetProperty("text").GetString();
        Assert.Contains(broker.Task.Task.Id, text, StringComparison.Ordinal);
        Assert.Contains("Target 'app-db' (postgresql)", text, StringComparison.Ordinal);
    }
}
