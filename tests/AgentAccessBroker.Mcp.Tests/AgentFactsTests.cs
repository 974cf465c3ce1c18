using AgentAccessBroker.Mcp.Tests.Harness;
using AgentAccessBroker.Testing;
using static AgentAccessBroker.Mcp.Tests.Harness.ToolResults;

namespace AgentAccessBroker.Mcp.Tests;

/// <summary>What an agent is told about durations: each resource's own limits, and when a grant is shorter than asked.</summary>
[Collection(PostgresCollection.Name)]
public sealed class AgentFactsTests(PostgresFixture postgres)
{
    [Fact]
    public async Task DescribeTargets_ResourcesOfTwoSensitivities_ListsEachResourcesOwnDurations()
    {
        await using var broker = await BrokerWithTask.StartAsync(postgres);
        await using var mcp = await InProcessMcp.StartAsync(broker.Options);

        var text = (await mcp.Client.CallToolAsync("describe_targets")).Text();

        var lines = text.Split('\n');
        Assert.Contains(lines, l => l.Contains($"{broker.Host.Database}.public.*: medium", StringComparison.Ordinal) && l.Contains("normal duration 30m, maximum 4h", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains($"{broker.Host.Database}.hr.*: high", StringComparison.Ordinal) && l.Contains("normal duration 15m, maximum 1h", StringComparison.Ordinal));
        Assert.Contains("actions this target grants: SELECT, INSERT, UPDATE, DELETE", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RequestAccess_LongerThanTheResourcesMaximum_SaysTheDurationIsCapped()
    {
        await using var broker = await BrokerWithTask.StartAsync(postgres);
        await using var mcp = await InProcessMcp.StartAsync(broker.Options);
        var read = broker.Host.ReadInvoices();

        var text = (await mcp.Client.CallToolAsync("request_access",
            Args(("target", read.Target), ("resources", read.Resources), ("actions", read.Actions), ("purpose", read.Purpose), ("duration", "1d")))).Text();

        Assert.Contains("Duration capped: 1d was asked", text, StringComparison.Ordinal);
        Assert.Contains("4h", text, StringComparison.Ordinal);
        Assert.Contains("the maximum for medium resources", text, StringComparison.Ordinal);
    }
}
