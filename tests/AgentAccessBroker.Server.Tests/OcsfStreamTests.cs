using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using AgentAccessBroker.Credentials;
using AgentAccessBroker.Server.Audit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentAccessBroker.Server.Tests;

public sealed class OcsfStreamTests
{
    [Fact]
    public async Task Of_EveryEventOfAFullTask_IsAnIamClassWithItsRequiredAttributes()
    {
        await using var s = await EvidenceScenario.RunAsync();
        var events = (await s.Flow.AuditAsync()).Select(AuditRecord.Of).ToList();

        var mapped = events.Select(e => OcsfEvent.Of(e, "1.0")).ToList();

        Assert.Equal(events.Count, mapped.Count);
        foreach (var o in mapped)
        {
            var classUid = o["class_uid"]!.GetValue<int>();
            Assert.Equal(3, o["category_uid"]!.GetValue<int>());
            Assert.Contains(classUid, new[] { OcsfEvent.AccountChange, OcsfEvent.AuthorizeSession, OcsfEvent.EntityManagement, OcsfEvent.UserAccessManagement });
            Assert.Equal((classUid * 100) + o["activity_id"]!.GetValue<int>(), o["type_uid"]!.GetValue<int>());
            Assert.True(o["time"]!.GetValue<long>() > 0);
            Assert.NotNull(o["severity_id"]);
            Assert.Equal(OcsfEvent.SchemaVersion, o["metadata"]!["version"]!.GetValue<string>());
            Assert.Equal("AgentAccessBroker", o["metadata"]!["product"]!["name"]!.GetValue<string>());
            Assert.NotNull(o[classUid == OcsfEvent.EntityManagement ? "entity" : "user"]);
            if (classUid == OcsfEvent.AuthorizeSession)
            {
                Assert.NotEmpty(o["privileges"]!.AsArray());
                Assert.NotNull(o["session"]!["uid"]);
            }
        }

        Assert.Equal(
            [OcsfEvent.AccountChange, OcsfEvent.AuthorizeSession, OcsfEvent.EntityManagement, OcsfEvent.UserAccessManagement],
            mapped.Select(o => o["class_uid"]!.GetValue<int>()).Distinct().Order());
        Assert.Contains(mapped, o => o["unmapped"]!["aab"]!["type"]!.GetValue<string>() == "revocation.failed" && o["status_id"]!.GetValue<int>() == 2 && o["severity_id"]!.GetValue<int>() == 4);
        var text = string.Join("\n", mapped.Select(o => o.ToJsonString()));
        Assert.All(s.Secrets, secret => Assert.DoesNotContain(secret, text, StringComparison.Ordinal));
    }

    [Fact]
    public async Task DeliverAsync_CollectorUpThenDownThenUp_DeliversEveryEventOnceInOrderWithItsToken()
    {
        await using var s = await EvidenceScenario.RunAsync();
        await using var collector = await Collector.StartAsync();
        var cursor = Path.Combine(Path.GetDirectoryName(s.PackDirectory)!, "siem.cursor");
        using var http = new HttpClient();
        var sink = new OcsfHttpSink(s.Flow.Store, http, new SiemSinkOptions { Endpoint = collector.Endpoint, Token = new SecretReference(SecretSource.Environment, "SIEM_TOKEN"), BatchSize = 10 },
            new FixedSecret("siem-token-7f3a"), cursor, s.Flow.Clock, NullLogger<OcsfHttpSink>.Instance);
        var total = (await s.Flow.AuditAsync()).Count;

        var first = await sink.DeliverAsync(CancellationToken.None);
        var again = await sink.DeliverAsync(CancellationToken.None);
        await s.Flow.Registry.RegisterAsync("admin", "carol", Domain.PrincipalRole.Approver, null, CancellationToken.None);
        collector.Status = StatusCodes.Status503ServiceUnavailable;
        await Assert.ThrowsAsync<HttpRequestException>(() => sink.DeliverAsync(CancellationToken.None));
        collector.Status = StatusCodes.Status202Accepted;
        var late = await sink.DeliverAsync(CancellationToken.None);

        Assert.Equal(total, first);
        Assert.Equal(0, again);
        Assert.Equal(1, late);
        var delivered = collector.Accepted.SelectMany(b => b).Select(o => o!["unmapped"]!["aab"]!["sequence"]!.GetValue<long>()).ToList();
        Assert.Equal(Enumerable.Range(1, total + 1).Select(i => (long)i), delivered);
        Assert.All(collector.Authorization, h => Assert.Equal("Bearer siem-token-7f3a", h));
        Assert.Equal(3001, collector.Accepted[^1][0]!["class_uid"]!.GetValue<int>());
    }

    private sealed class FixedSecret(string value) : ISecretResolver
    {
        public string Resolve(SecretReference reference) => value;
    }

    /// <summary>A SIEM HTTP collector on loopback: keeps the batches it accepts, answers with <see cref="Status"/>.</summary>
    private sealed class Collector : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private Collector(WebApplication app) => _app = app;

        public int Status { get; set; } = StatusCodes.Status202Accepted;

        public List<JsonArray> Accepted { get; } = [];

        public ConcurrentQueue<string> Authorization { get; } = new();

        public Uri Endpoint => new(_app.Urls.First() + "/ocsf");

        public static async Task<Collector> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            var app = builder.Build();
            var collector = new Collector(app);
            app.MapPost("/ocsf", async (HttpContext http) =>
            {
                collector.Authorization.Enqueue(http.Request.Headers.Authorization.ToString());
                var body = JsonNode.Parse(await new StreamReader(http.Request.Body).ReadToEndAsync())!.AsArray();
                if (collector.Status < 300)
                {
                    lock (collector.Accepted)
                    {
                        collector.Accepted.Add(body);
                    }
                }

                return Results.StatusCode(collector.Status);
            });
            await app.StartAsync();
            return collector;
        }

        public async ValueTask DisposeAsync() => await _app.DisposeAsync();
    }
}
