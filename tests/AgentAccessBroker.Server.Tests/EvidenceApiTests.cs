using AgentAccessBroker.Client;
using AgentAccessBroker.Server.Evidence;
using AgentAccessBroker.Testing;
using AgentAccessBroker.Testing.Broker;

namespace AgentAccessBroker.Server.Tests;

[Collection(PostgresCollection.Name)]
public sealed class EvidenceApiTests(PostgresFixture postgres)
{
    [Fact]
    public async Task Evidence_AuditorDownloadsTaskPack_VerifiesAgainstTheBrokersPublicKey()
    {
        await using var host = await BrokerHost.StartAsync(postgres);
        var (agent, task) = await host.AgentWithTaskAsync("agent-a");
        var granted = await agent.SubmitRequestAsync(host.ReadInvoices(), CancellationToken.None);
        await host.Admin.CompleteTaskAsync(task.Task.Id, CancellationToken.None);
        using var auditor = host.ClientFor(await host.PersonAsync("audrey", "auditor"));
        var directory = Path.Combine(host.DataDirectory, "pack");

        using (var archive = new MemoryStream())
        {
            await auditor.DownloadEvidenceAsync(task.Task.Id, null, null, null, archive, CancellationToken.None);
            archive.Position = 0;
            await EvidencePack.ExtractZipAsync(archive, directory, CancellationToken.None);
        }

        using var http = new HttpClient { BaseAddress = host.Address };
        http.DefaultRequestHeaders.Authorization = new("Bearer", (await File.ReadAllTextAsync(Path.Combine(host.DataDirectory, "admin.token"))).Trim());
        using var key = System.Security.Cryptography.ECDsa.Create();
        key.ImportFromPem(await http.GetStringAsync("v1/audit/public-key"));
        var verification = EvidenceVerifier.VerifyDirectory(directory, key.ExportSubjectPublicKeyInfo());
        var facts = EvidenceVerifier.StatedFacts(await File.ReadAllTextAsync(Path.Combine(directory, "report.html")), []);

        Assert.True(verification.Valid, string.Join("; ", verification.Altered.Concat(verification.Disagreements)));
        Assert.Equal("granted", granted.Outcome);
        Assert.Equal("1", facts["figure.grants_automatic"]);
        Assert.Equal("1", facts["figure.leases_revoked_verified"]);
        Assert.Equal("0", facts["figure.leases_past_end"]);
        foreach (var file in Directory.GetFiles(directory))
        {
            var text = await File.ReadAllTextAsync(file);
            Assert.DoesNotContain(task.TaskToken, text, StringComparison.Ordinal);
            Assert.All(granted.Credential!.Forms.Values, secret => Assert.DoesNotContain(secret, text, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task AuditExport_FormatOcsf_StreamsOnlyOcsfEventsOfTheIamCategory()
    {
        await using var host = await BrokerHost.StartAsync(postgres);
        var (agent, task) = await host.AgentWithTaskAsync("agent-a");
        await agent.SubmitRequestAsync(host.ReadInvoices(), CancellationToken.None);
        await host.Admin.CompleteTaskAsync(task.Task.Id, CancellationToken.None);
        using var export = new MemoryStream();

        await host.Admin.ExportAuditAsync(null, null, null, null, "ocsf", export, CancellationToken.None);

        var lines = System.Text.Encoding.UTF8.GetString(export.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length >= 8, $"only {lines.Length} events");
        Assert.All(lines, line =>
        {
            var o = System.Text.Json.Nodes.JsonNode.Parse(line)!;
            Assert.Equal(3, o["category_uid"]!.GetValue<int>());
            Assert.InRange(o["class_uid"]!.GetValue<int>(), 3001, 3005);
            Assert.DoesNotContain(task.TaskToken, line, StringComparison.Ordinal);
        });
        Assert.Contains(lines, l => l.Contains("\"class_uid\":3003", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Evidence_AgentOrMissingScope_IsRefused()
    {
        await using var host = await BrokerHost.StartAsync(postgres);
        var (agent, task) = await host.AgentWithTaskAsync("agent-a");
        using var sink = new MemoryStream();

        var asAgent = await Assert.ThrowsAsync<BrokerClientException>(() => agent.DownloadEvidenceAsync(task.Task.Id, null, null, null, sink, CancellationToken.None));
        var noScope = await Assert.ThrowsAsync<BrokerClientException>(() => host.Admin.DownloadEvidenceAsync(null, null, null, null, sink, CancellationToken.None));
        var unknown = await Assert.ThrowsAsync<BrokerClientException>(() => host.Admin.DownloadEvidenceAsync("task_nope", null, null, null, sink, CancellationToken.None));

        Assert.Equal(403, asAgent.Status);
        Assert.Equal(400, noScope.Status);
        Assert.Equal("invalid_scope", noScope.Code);
        Assert.Equal(404, unknown.Status);
    }
}
