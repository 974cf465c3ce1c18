using System.Text.Json;
using AgentAccessBroker.Mcp.Tests.Harness;
using AgentAccessBroker.Testing;
using AgentAccessBroker.Testing.Broker;
using ModelContextProtocol.Client;

namespace AgentAccessBroker.Mcp.Tests;

/// <summary>The tool list as an agent's client sees it, over in-memory pipes against a real broker.</summary>
[Collection(PostgresCollection.Name)]
public sealed class ToolCatalogTests(PostgresFixture postgres)
{
    // name -> (readOnly, destructive, idempotent, required arguments)
    public static TheoryData<string, bool, bool, bool, string[]> Tools => new()
    {
        { "describe_targets", true, false, true, [] },
        { "request_access", false, false, false, ["target", "resources", "actions", "purpose"] },
        { "check_request", false, false, false, ["request_id"] },
        { "list_access", true, false, true, [] },
        { "release_access", false, true, true, [] },
    };

    [Fact]
    public async Task ListTools_InProcess_ReturnsExactlyTheFiveAccessTools()
    {
        await using var mcp = await InProcessMcp.StartAsync(Unconnected());

        var tools = await mcp.Client.ListToolsAsync();

        Assert.Equal(Tools.Select(t => (string)t[0]).Order(), tools.Select(t => t.Name).Order());
    }

    [Theory]
    [MemberData(nameof(Tools))]
    public async Task ListTools_EachTool_HasDescriptionSchemaAndHints(string name, bool readOnly, bool destructive, bool idempotent, string[] required)
    {
        await using var mcp = await InProcessMcp.StartAsync(Unconnected());

        var tool = Assert.Single(await mcp.Client.ListToolsAsync(), t => t.Name == name).ProtocolTool;

        Assert.True(tool.Description?.Length >= 60, $"{name}: description too thin: '{tool.Description}'");
        Assert.False(string.IsNullOrWhiteSpace(tool.Title));
        var schema = tool.InputSchema;
        Assert.Equal("object", schema.GetProperty("type").GetString());
        var properties = schema.GetProperty("properties");
        foreach (var property in properties.EnumerateObject())
        {
            Assert.True(property.Value.TryGetProperty("description", out var description) && description.GetString()!.Length > 10, $"{name}.{property.Name} has no description");
        }

        var declaredRequired = schema.TryGetProperty("required", out var r) ? r.EnumerateArray().Select(e => e.GetString()!).ToArray() : [];
        Assert.Equal(required.Order(), declaredRequired.Order());
        Assert.All(required, p => Assert.True(properties.TryGetProperty(p, out _), $"{name}: '{p}' missing from properties"));
        Assert.False(properties.TryGetProperty("cancellationToken", out _));
        Assert.False(properties.TryGetProperty("progress", out _));
        Assert.NotNull(tool.Annotations);
        Assert.Equal(readOnly, tool.Annotations!.ReadOnlyHint);
        Assert.Equal(destructive, tool.Annotations.DestructiveHint);
        Assert.Equal(idempotent, tool.Annotations.IdempotentHint);
    }

    [Fact]
    public async Task RequestAccessSchema_ListsArraysOfStringsAndADefaultDuration()
    {
        await using var mcp = await InProcessMcp.StartAsync(Unconnected());

        var schema = Assert.Single(await mcp.Client.ListToolsAsync(), t => t.Name == "request_access").ProtocolTool.InputSchema.GetProperty("properties");

        foreach (var list in new[] { "resources", "actions" })
        {
            Assert.Equal("array", schema.GetProperty(list).GetProperty("type").GetString());
            Assert.Equal("string", schema.GetProperty(list).GetProperty("items").GetProperty("type").GetString());
        }

        Assert.Equal("15m", schema.GetProperty("duration").GetProperty("default").GetString());
    }

    [Fact]
    public async Task DescribeTargets_InProcess_ListsTheTaskAndTheCatalogueWithSensitivities()
    {
        await using var broker = await BrokerWithTask.StartAsync(postgres);
        await using var mcp = await InProcessMcp.StartAsync(broker.Options);

        var result = await mcp.Client.CallToolAsync("describe_targets");

        Assert.NotEqual(true, result.IsError);
        var text = result.Text();
        Assert.Contains(broker.Task.Task.Id, text, StringComparison.Ordinal);
        Assert.Contains("Target 'app-db' (postgresql)", text, StringComparison.Ordinal);
        Assert.Contains($"{broker.Host.Database}.public.*: medium", text, StringComparison.Ordinal);
        Assert.Contains($"{broker.Host.Database}.hr.*: high", text, StringComparison.Ordinal);
        Assert.Contains("pii", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("check_request", "{\"request_id\":\"req_1\",\"wait_seconds\":51}", "invalid_argument", "wait_seconds")]
    [InlineData("check_request", "{\"wait_seconds\":5}", "missing_argument", "request_id")]
    [InlineData("request_access", "{\"target\":\"app-db\",\"resources\":[],\"actions\":[\"SELECT\"],\"purpose\":\"p\"}", "invalid_argument", "resources")]
    [InlineData("release_access", "{\"lease\":\"ls_1\"}", "unknown_argument", "lease")]
    public async Task CallTool_BadArguments_StructuredErrorNamesTheFieldWithoutCallingTheBroker(string tool, string arguments, string code, string field)
    {
        await using var mcp = await InProcessMcp.StartAsync(Unconnected());
        var args = JsonSerializer.Deserialize<Dictionary<string, object?>>(arguments)!;

        var result = await mcp.Client.CallToolAsync(tool, args);

        Assert.True(result.IsError);
        var error = result.StructuredContent!.Value.GetProperty("error");
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.Equal(field, error.GetProperty("field").GetString());
        Assert.Contains(field, result.Text(), StringComparison.Ordinal);
    }

    /// <summary>Listing tools never calls the broker, so these tests need none.</summary>
    private static AgentMcpOptions Unconnected() => new(new Uri($"http://127.0.0.1:{AabCli.ClosedPort()}/"), "agent-broker.AgentToken", "task-broker.AgentToken");
}
