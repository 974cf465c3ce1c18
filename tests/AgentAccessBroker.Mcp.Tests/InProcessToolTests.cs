using System.Diagnostics;
using AgentAccessBroker.Mcp.Tests.Harness;
using AgentAccessBroker.Testing;
using AgentAccessBroker.Testing.Broker;
using ModelContextProtocol.Client;
using static AgentAccessBroker.Mcp.Tests.Harness.ToolResults;

namespace AgentAccessBroker.Mcp.Tests;

/// <summary>Tool results for the edges: a broker that hangs or talks nonsense, and calls the broker refuses.</summary>
[Collection(PostgresCollection.Name)]
public sealed class InProcessToolTests(PostgresFixture postgres)
{
    [Fact]
    public async Task ToolCall_BrokerNeverAnswers_ReturnsTimeoutErrorAfterTheBrokerTimeout()
    {
        await using var broker = RawHttpResponder.Silent();
        await using var mcp = await InProcessMcp.StartAsync(new AgentMcpOptions(broker.Address, "agent-token", "task-token") { BrokerTimeout = TimeSpan.FromSeconds(1) });

        var clock = Stopwatch.StartNew();
        var result = await mcp.Client.CallToolAsync("list_access");
        clock.Stop();

        Assert.True(result.IsError);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(4), $"took {clock.Elapsed}");
        Assert.Contains("did not answer within 1 s", result.Text(), StringComparison.Ordinal);
        Assert.Contains("not running or not reachable", result.Text(), StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", result.Text(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ToolCall_BrokerAnswersGarbage_SaysTheAnswerWasUnreadableWithoutParserText()
    {
        await using var broker = RawHttpResponder.Answering("{\"unexpected\": [1, 2");
        await using var mcp = await InProcessMcp.StartAsync(new AgentMcpOptions(broker.Address, "agent-token", "task-token"));

        var result = await mcp.Client.CallToolAsync("describe_targets");

        Assert.True(result.IsError);
        Assert.StartsWith("The broker's answer could not be read.", result.Text(), StringComparison.Ordinal);
        Assert.DoesNotContain("Path:", result.Text(), StringComparison.Ordinal);
        Assert.DoesNotContain("LineNumber", result.Text(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReleaseAccess_NeitherLeaseNorAll_AsksForOneWithoutCallingTheBroker()
    {
        await using var broker = RawHttpResponder.Silent();
        await using var mcp = await InProcessMcp.StartAsync(new AgentMcpOptions(broker.Address, "agent-token", "task-token"));

        var result = await mcp.Client.CallToolAsync("release_access");

        Assert.True(result.IsError);
        Assert.Contains("Give lease_id", result.Text(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RequestAccess_UnknownTarget_IsErrorNamingTheKnownTargets()
    {
        await using var broker = await BrokerWithTask.StartAsync(postgres);
        await using var mcp = await InProcessMcp.StartAsync(broker.Options);

        var result = await mcp.Client.CallToolAsync("request_access",
            Args(("target", "prod-db"), ("resources", new[] { "x.public.t" }), ("actions", new[] { "SELECT" }), ("purpose", "read t")));

        Assert.True(result.IsError);
        Assert.Contains("Unknown target 'prod-db'", result.Text(), StringComparison.Ordinal);
        Assert.Contains("app-db", result.Text(), StringComparison.Ordinal);
        Assert.Contains("(code unknown_target)", result.Text(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckRequest_AnotherAgentsRequest_IsNotFoundAndShowsNothing()
    {
        await using var broker = await BrokerWithTask.StartAsync(postgres);
        var (other, _) = await broker.Host.AgentWithTaskAsync("agent-b");
        var theirs = await other.SubmitRequestAsync(broker.Host.ReadInvoices(), CancellationToken.None);
        await using var mcp = await InProcessMcp.StartAsync(broker.Options);

        var result = await mcp.Client.CallToolAsync("check_request", Args(("request_id", theirs.Request.Id), ("wait_seconds", 0)));

        Assert.True(result.IsError);
        Assert.Contains("not_found", result.Text(), StringComparison.Ordinal);
        Assert.DoesNotContain("PGPASSWORD", result.Text(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RequestAccess_WrongTaskToken_IsRefused()
    {
        await using var broker = await BrokerWithTask.StartAsync(postgres);
        await using var mcp = await InProcessMcp.StartAsync(broker.Options with { TaskToken = "made-up-task-token" });

        var result = await mcp.Client.CallToolAsync("request_access", Args(
            ("target", "app-db"), ("resources", broker.Host.ReadInvoices().Resources), ("actions", new[] { "SELECT" }), ("purpose", "read invoices")));

        Assert.True(result.IsError);
        Assert.DoesNotContain("GRANTED", result.Text(), StringComparison.Ordinal);
        Assert.DoesNotContain("made-up-task-token", result.Text(), StringComparison.Ordinal);
    }
}
