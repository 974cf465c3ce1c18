using System.Text.Json.Nodes;
using AgentAccessBroker.Server.Audit;
using AgentAccessBroker.Testing;
using AgentAccessBroker.Testing.Broker;

namespace AgentAccessBroker.Server.Tests;

[Collection(PostgresCollection.Name)]
public sealed class AuditExportTests(PostgresFixture postgres)
{
    [Theory]
    [InlineData("jsonl")]
    [InlineData("csv")]
    public async Task Verify_UntouchedExport_Passes(string format)
    {
        await using var host = await BrokerHost.StartAsync(postgres);
        var path = await ExportAfterCycleAsync(host, format);

        var result = AuditVerifier.VerifyFile(path);

        Assert.True(result.Valid, string.Join("; ", result.Problems));
        Assert.True(result.Events >= 10, $"only {result.Events} events");
    }

    [Fact]
    public async Task Verify_AlteredRemovedOrReorderedEvent_Fails()
    {
        await using var host = await BrokerHost.StartAsync(postgres);
        var path = await ExportAfterCycleAsync(host, "jsonl");
        var lines = await File.ReadAllLinesAsync(path);
        var events = lines[..^1];

        for (var i = 0; i < events.Length; i++)
        {
            var altered = JsonNode.Parse(events[i])!.AsObject();
            altered["actor"] = altered["actor"]!.GetValue<string>() + "x";
            AssertFails(path, [.. events[..i], altered.ToJsonString(), .. events[(i + 1)..], lines[^1]], $"altered event {i}");
            AssertFails(path, [.. events[..i], .. events[(i + 1)..], lines[^1]], $"removed event {i}");
            if (i + 1 < events.Length)
            {
                AssertFails(path, [.. events[..i], events[i + 1], events[i], .. events[(i + 2)..], lines[^1]], $"swapped events {i} and {i + 1}");
            }
        }

        AssertFails(path, events, "removed manifest");
    }

    [Fact]
    public async Task Verify_CsvWithAlteredField_Fails()
    {
        await using var host = await BrokerHost.StartAsync(postgres);
        var path = await ExportAfterCycleAsync(host, "csv");
        var text = await File.ReadAllTextAsync(path);

        await File.WriteAllTextAsync(path, text.Replace("task.completed", "task.complete", StringComparison.Ordinal));

        Assert.False(AuditVerifier.VerifyFile(path).Valid);
    }

    [Fact]
    public async Task Export_FilteredByTask_VerifiesAndHoldsOnlyThatTask()
    {
        await using var host = await BrokerHost.StartAsync(postgres);
        var (agent, task) = await host.AgentWithTaskAsync("agent-a");
        await agent.SubmitRequestAsync(host.ReadInvoices(), CancellationToken.None);
        await host.AgentWithTaskAsync("agent-b");
        var path = Path.Combine(host.DataDirectory, "task.jsonl");
        await using (var file = File.Create(path))
        {
            await host.Admin.ExportAuditAsync(null, null, null, task.Task.Id, "jsonl", file, CancellationToken.None);
        }

        var result = AuditVerifier.VerifyFile(path);
        var lines = await File.ReadAllLinesAsync(path);

        Assert.True(result.Valid, string.Join("; ", result.Problems));
        Assert.All(lines[..^1], l => Assert.Equal(task.Task.Id, JsonNode.Parse(l)!["task_id"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Export_AfterGrant_HoldsNoSecret()
    {
        await using var host = await BrokerHost.StartAsync(postgres);
        var (agent, task) = await host.AgentWithTaskAsync("agent-a");
        var grant = await agent.SubmitRequestAsync(host.ReadInvoices(), CancellationToken.None);
        var path = await ExportAsync(host, "jsonl");

        var text = await File.ReadAllTextAsync(path);

        Assert.DoesNotContain(grant.Credential!.EnvironmentVariables["PGPASSWORD"], text, StringComparison.Ordinal);
        Assert.DoesNotContain(task.TaskToken, text, StringComparison.Ordinal);
        Assert.Contains("lease.minted", text, StringComparison.Ordinal);
    }

    private static void AssertFails(string path, string[] lines, string what)
    {
        var tampered = path + ".tampered";
        File.WriteAllLines(tampered, lines);
        var result = AuditVerifier.VerifyFile(tampered);
        Assert.False(result.Valid, $"{what} was not detected");
        Assert.NotEmpty(result.Problems);
    }

    private static async Task<string> ExportAfterCycleAsync(BrokerHost host, string format)
    {
        var (agent, task) = await host.AgentWithTaskAsync("agent-a");
        await agent.SubmitRequestAsync(host.ReadInvoices(), CancellationToken.None);
        await host.Admin.CompleteTaskAsync(task.Task.Id, CancellationToken.None);
        return await ExportAsync(host, format);
    }

    private static async Task<string> ExportAsync(BrokerHost host, string format)
    {
        var path = Path.Combine(host.DataDirectory, "export." + format);
        await using var file = File.Create(path);
        await host.Admin.ExportAuditAsync(null, null, null, null, format, file, CancellationToken.None);
        return path;
    }
}
