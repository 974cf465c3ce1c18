using System.Text.Json;
using System.Text.Json.Nodes;
using AgentAccessBroker.Mcp.Tests.Harness;

namespace AgentAccessBroker.Mcp.Tests;

/// <summary>The configurations in docs/MCP.md are meant to be copied as they are: they must parse and say the right thing.</summary>
public sealed class McpDocTests
{
    private static readonly string[] Variables = ["AAB_SERVER", "AAB_TOKEN", "AAB_TASK_TOKEN"];

    [Fact]
    public void JsonBlocks_All_ParseAsStrictJson()
    {
        var blocks = McpDoc.Blocks("json");

        Assert.True(blocks.Count >= 4, $"expected the Claude Code, Cursor and VS Code configurations, found {blocks.Count} JSON blocks");
        Assert.All(blocks, block => JsonDocument.Parse(block).Dispose());
    }

    [Fact]
    public void ClaudeCodeConfig_LaunchesAabMcpOverStdioWithTheThreeVariables()
    {
        var server = McpDoc.Config("`.mcp.json`")["mcpServers"]!["aab"]!.AsObject();

        AssertLaunchesAabMcp(server);
        Assert.All(Variables, v => Assert.Contains("${" + v, (string)server["env"]![v]!, StringComparison.Ordinal));
    }

    [Fact]
    public void CursorConfig_LaunchesAabMcpWithVariablesFromTheEnvironment()
    {
        var server = McpDoc.Config("`.cursor/mcp.json`")["mcpServers"]!["aab"]!.AsObject();

        AssertLaunchesAabMcp(server);
        Assert.Equal("${workspaceFolder}/.aab/bin/aab.dll", (string)server["args"]![0]!);
        Assert.All(Variables, v => Assert.Equal("${env:" + v + "}", (string)server["env"]![v]!));
    }

    [Theory]
    [InlineData("`.mcp.json` for a remote broker", "mcpServers", "http")]
    [InlineData("`.vscode/mcp.json` for a remote broker (VS Code prompts for both tokens and keeps them in its secret storage)", "servers", "http")]
    [InlineData("`.cursor/mcp.json` for a remote broker", "mcpServers", null)]
    [InlineData("`Copilot coding agent MCP configuration`", "mcpServers", "http")]
    public void RemoteConfigs_PointAtMcpAndSendTheAgentAndTaskTokensAsTheBrokerReadsThem(string label, string key, string? type)
    {
        var server = McpDoc.Config(label)[key]!["aab"]!.AsObject();
        var headers = server["headers"]!.AsObject();

        Assert.Equal(type, (string?)server["type"]);
        Assert.EndsWith("/mcp", (string)server["url"]!, StringComparison.Ordinal);
        Assert.StartsWith("Bearer ", (string)headers["Authorization"]!, StringComparison.Ordinal);
        Assert.True(headers.ContainsKey(AgentAccessBroker.Client.BrokerClient.TaskTokenHeader), label);
        Assert.Null(server["command"]);
    }

    [Fact]
    public void ClaudeRemoteCommand_UsesHttpTransportAndBothHeaders()
    {
        var command = Assert.Single(McpDoc.Blocks("console"), b => b.Contains("claude mcp add --transport http", StringComparison.Ordinal));

        Assert.Contains("'Authorization: Bearer ${AAB_TOKEN}'", command, StringComparison.Ordinal);
        Assert.Contains($"'{AgentAccessBroker.Client.BrokerClient.TaskTokenHeader}: ${{AAB_TASK_TOKEN}}'", command, StringComparison.Ordinal);
        Assert.EndsWith("aab https://broker.example.com/mcp", command.TrimEnd(), StringComparison.Ordinal);
    }

    [Fact]
    public void VsCodeConfigs_UseServersWithStdioTypeAndDeclareEveryInput()
    {
        foreach (var label in new[] { "`.vscode/mcp.json`", "`.vscode/mcp.json` with a prompted task token" })
        {
            var config = McpDoc.Config(label);
            Assert.Null(config["mcpServers"]);
            var server = config["servers"]!["aab"]!.AsObject();
            AssertLaunchesAabMcp(server);
            var declared = (config["inputs"]?.AsArray() ?? []).Select(i => (string)i!["id"]!).ToHashSet();
            foreach (var value in server["env"]!.AsObject().Select(e => (string)e.Value!))
            {
                if (value.StartsWith("${input:", StringComparison.Ordinal))
                {
                    Assert.Contains(value["${input:".Length..^1], declared);
                }
            }
        }
    }

    [Fact]
    public void ClaudeMcpAddCommand_WritesTheSameServerAsTheDocumentedJson()
    {
        var words = McpDoc.ClaudeMcpAdd();
        var server = McpDoc.Config("`.mcp.json`")["mcpServers"]!["aab"]!.AsObject();
        var separator = words.ToList().IndexOf("--");
        var environment = words.Select((w, i) => (w, i)).Where(p => p.i > 0 && words[p.i - 1] == "--env").Select(p => p.w.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);

        Assert.Equal(["claude", "mcp", "add"], words.Take(3));
        Assert.Equal("aab", words[separator - 1]);
        Assert.All(words.Take(separator - 1).Skip(3).Where((_, i) => i % 2 == 0), option => Assert.StartsWith("--", option, StringComparison.Ordinal));
        Assert.Equal("project", words[words.ToList().IndexOf("--scope") + 1]);
        Assert.Equal("stdio", words[words.ToList().IndexOf("--transport") + 1]);
        Assert.Equal([(string)server["command"]!, .. server["args"]!.AsArray().Select(a => (string)a!)], words.Skip(separator + 1));
        Assert.Equal(server["env"]!.AsObject().ToDictionary(e => e.Key, e => (string)e.Value!), environment);
    }

    [Fact]
    public void ExpandLikeClaudeCode_SetUnsetAndDefault_FollowsTheDocumentedRules()
    {
        var environment = new Dictionary<string, string> { ["A"] = "set" };

        Assert.Equal("set/fallback/${C}", McpDoc.ExpandLikeClaudeCode("${A}/${B:-fallback}/${C}", environment));
    }

    private static void AssertLaunchesAabMcp(JsonObject server)
    {
        Assert.Equal("stdio", (string)server["type"]!);
        Assert.Equal("dotnet", (string)server["command"]!);
        var args = server["args"]!.AsArray().Select(a => (string)a!).ToList();
        Assert.Equal(2, args.Count);
        Assert.EndsWith(".aab/bin/aab.dll", args[0].TrimEnd('}'), StringComparison.Ordinal);
        Assert.Equal("mcp", args[1]);
        Assert.Equal(Variables.Order(), server["env"]!.AsObject().Select(e => e.Key).Order());
    }
}
