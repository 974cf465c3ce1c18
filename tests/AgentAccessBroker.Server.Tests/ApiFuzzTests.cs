using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using AgentAccessBroker.Client;
using AgentAccessBroker.Server.Audit;
using AgentAccessBroker.Testing;
using AgentAccessBroker.Testing.Broker;
using CsCheck;
using Xunit.Abstractions;

namespace AgentAccessBroker.Server.Tests;

/// <summary>
/// Property-based fuzzing of every endpoint of a real broker: generated methods, routes, ids, query strings, headers
/// and bodies (wrong types, nulls, duplicate and case-variant keys, hostile text, broken JSON). The properties: no
/// response is a 5xx, every error is a ProblemDetails with a code, the broker still answers afterwards, and the audit
/// trail it wrote meanwhile still verifies.
/// </summary>
/// <remarks>
/// Seeded and deterministic: <c>AAB_FUZZ_SEED</c> (default 20261207) and <c>AAB_FUZZ_CASES</c> (default 3,000, about
/// half a minute). A nightly run sets a larger count and a fresh seed; a failure prints the seed and the case.
/// </remarks>
[Collection(PostgresCollection.Name)]
public sealed class ApiFuzzTests(PostgresFixture postgres, ITestOutputHelper output)
{
    private const string CasesVariable = "AAB_FUZZ_CASES";
    private const string SeedVariable = "AAB_FUZZ_SEED";

    private static readonly string[] Routes =
    [
        "GET /healthz", "GET /openapi/v1.json", "POST /v1/agents", "POST /v1/principals", "POST /v1/tasks", "GET /v1/tasks", "GET /v1/tasks/current",
        "GET /v1/tasks/{task}", "POST /v1/tasks/{task}/complete", "POST /v1/requests", "GET /v1/requests", "GET /v1/requests/{request}",
        "POST /v1/requests/{request}/claim", "POST /v1/requests/{request}/approve", "POST /v1/requests/{request}/deny", "GET /v1/targets",
        "GET /v1/leases", "GET /v1/leases/{lease}", "POST /v1/leases/{lease}/release", "GET /v1/audit/export", "GET /v1/audit/public-key",
        "GET /v1/{junk}", "POST /{junk}", "GET /{junk}/{junk}",
    ];

    private static readonly Dictionary<string, string[]> QueryNames = new()
    {
        ["/v1/tasks"] = ["state"],
        ["/v1/requests"] = ["status", "task"],
        ["/v1/leases"] = ["state", "task"],
        ["/v1/audit/export"] = ["from", "to", "agent", "task", "format"],
    };

    private static readonly Dictionary<string, string[]> BodyFields = new()
    {
        ["/v1/agents"] = ["id", "owner"],
        ["/v1/principals"] = ["id", "roles"],
        ["/v1/tasks"] = ["agent", "description", "scope_hints", "environment", "deadline"],
        ["/v1/requests"] = ["target", "resources", "actions", "purpose", "duration", "dry_run"],
        ["/approve"] = ["duration", "comment"],
        ["/deny"] = ["duration", "comment"],
    };

    private static readonly string[] Hostile =
    [
        "", " ", "null", "0", "-1", "99", "6", "1e309", "-0", "approved,issued", "Approved", "issued", "pending", "live", "revocation_failed", "active",
        "completed", "jsonl", "csv", "xml", "PT0S", "P10675199DT2H48M5.4775808S", "-PT1H", "PT15M", "15m", "1h30m", "999999999d", "0s", "P1000000Y",
        "\u0000", "\u001b[2J\u001b[H", "\u001b]8;;https://evil.example/\u0007x\u001b]8;;\u0007", "\u202Ereversed", "\u200B", "💥", "\uD800", "../../etc/passwd",
        "%00", "%2e%2e%2f", "' OR 1=1 --", "app-db", "SELECT", "READ", "TRUNCATE", "*", "agent-a", "agent-b", "admin", "bob", "approver", "auditor",
        "2026-12-07T00:00:00Z", "9999-12-31T23:59:59Z", "0001-01-01", "not-a-date", "{}", "[]", "true", "dev", "prod",
    ];

    [Fact]
    public async Task EveryEndpoint_GeneratedRequests_NeverA5xxAlwaysAProblemAndTheAuditTrailStillVerifies()
    {
        var cases = int.TryParse(Environment.GetEnvironmentVariable(CasesVariable), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 3_000;
        var seed = ulong.TryParse(Environment.GetEnvironmentVariable(SeedVariable), NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? s : 20261207UL;
        await using var host = await BrokerHost.StartAsync(postgres, requestsPerMinute: 10_000_000);
        var world = await WorldAsync(host);
        var generator = CaseGen(world);
        var random = new PCG(1, seed);
        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = host.Address, Timeout = TimeSpan.FromSeconds(30) };
        var statuses = new SortedDictionary<int, int>();
        var unparsable = new List<string>();
        var clock = Stopwatch.StartNew();

        for (var i = 0; i < cases; i++)
        {
            var fuzz = generator.Generate(random, null, out _);
            int status;
            string text;
            string? mediaType;
            bool closed;
            try
            {
                using var response = await http.SendAsync(fuzz.ToMessage(world));
                status = (int)response.StatusCode;
                mediaType = response.Content.Headers.ContentType?.MediaType;
                text = await response.Content.ReadAsStringAsync();
                closed = response.Headers.ConnectionClose == true;
            }
            catch (HttpRequestException exception)
            {
                throw new Xunit.Sdk.XunitException($"case {i} (seed {seed}) broke the connection: {exception.Message}\n{fuzz}");
            }

            statuses[status] = statuses.GetValueOrDefault(status) + 1;
            Assert.True(status < 500, $"case {i} (seed {seed}): {status} {text}\n{fuzz}");
            if (status == 400 && text.Length == 0 && closed)
            {
                // Kestrel refused the request line itself (a NUL in the path, say) before any middleware ran: the one
                // error the broker cannot give a body (see the README's security model).
                unparsable.Add(fuzz.Path);
            }
            else if (status >= 400)
            {
                Assert.True(mediaType == "application/problem+json" && text.Contains("\"code\":", StringComparison.Ordinal),
                    $"case {i} (seed {seed}): {status} without a problem ({mediaType}): {text}\n{fuzz}");
            }
        }

        output.WriteLine($"{cases} cases (seed {seed}) in {clock.Elapsed.TotalSeconds:0.0} s; statuses: {string.Join(", ", statuses.Select(p => $"{p.Key}x{p.Value}"))}");
        output.WriteLine($"{unparsable.Count} refused by Kestrel before the pipeline (bare 400), e.g. {string.Join(" ", unparsable.Take(3))}");
        Assert.All(unparsable, path => Assert.Contains("%00", path, StringComparison.OrdinalIgnoreCase));
        var health = await host.Admin.ListTasksAsync(null, CancellationToken.None);
        Assert.NotEmpty(health);
        var export = Path.Combine(host.DataDirectory, "fuzz-export.jsonl");
        await using (var file = File.Create(export))
        {
            await host.Admin.ExportAuditAsync(null, null, null, null, "jsonl", file, CancellationToken.None);
        }

        var verification = AuditVerifier.VerifyFile(export);
        Assert.True(verification.Valid, string.Join("; ", verification.Problems));
        output.WriteLine($"audit trail: {verification.Events} events verified");
    }

    private static async Task<World> WorldAsync(BrokerHost host)
    {
        var adminToken = (await File.ReadAllTextAsync(Path.Combine(host.DataDirectory, "admin.token"))).Trim();
        var agentToken = await host.AgentAsync("agent-a");
        var task = await host.StartTaskAsync("agent-a");
        using var agent = host.ClientFor(agentToken, task.TaskToken);
        var granted = await agent.SubmitRequestAsync(host.ReadInvoices(), CancellationToken.None);
        var pending = await agent.SubmitRequestAsync(host.ReadInvoices() with { Resources = [$"{host.Database}.hr.salaries"] }, CancellationToken.None);
        var approver = await host.PersonAsync("bob", "approver");
        return new World(adminToken, agentToken, task.TaskToken, approver, task.Task.Id, pending.Request.Id, granted.Lease?.Id ?? "lease_none", host.Database);
    }

    private static Gen<FuzzCase> CaseGen(World world)
    {
        var text = Gen.Frequency<string>((6, Gen.OneOf(Hostile)), (2, Gen.String[0, 40]), (1, Gen.Int.Select(i => i.ToString(CultureInfo.InvariantCulture))),
            (1, Gen.Int[1, 3_000].Select(length => new string('a', length))),
            (2, Gen.OneOf(world.TaskId, world.RequestId, world.LeaseId, $"{world.Database}.public.invoices", $"{world.Database}.hr.salaries", $"{world.Database}.public.*")));
        var id = Gen.Frequency<string>((5, Gen.OneOf(world.TaskId, world.RequestId, world.LeaseId)), (3, text.Select(t => Uri.EscapeDataString(t.Replace("\uD800", "x", StringComparison.Ordinal)))));
        var jsonValue = Gen.Frequency<string>(
            (5, text.Select(Json)),
            (2, text.Array[0, 4].Select(items => "[" + string.Join(",", items.Select(Json)) + "]")),
            (1, Gen.OneOf("null", "true", "false", "0", "-1", "1e999", "123456789012345678901234567890", "{}", "[null]", "[1,2]", "{\"a\":{\"b\":[]}}", "[[[[[[[[[[]]]]]]]]]]")));
        var body = Gen.Select(Gen.Int[0, 6], Gen.Frequency<bool>((8, Gen.Const(false)), (2, Gen.Const(true))), jsonValue.Array[0, 8], text.Array[0, 3], Gen.Int[0, 9])
            .Select((omitEvery, duplicate, values, extraKeys, damage) => (omitEvery, duplicate, values, extraKeys, damage));
        var contentType = Gen.Frequency<string?>((8, Gen.Const<string?>("application/json")), (1, Gen.Const<string?>("text/plain")), (1, Gen.Const<string?>((string?)null)),
            (1, Gen.Const<string?>("application/json; charset=iso-8859-1")));
        var auth = Gen.Frequency<Caller>((4, Gen.Const(Caller.Admin)), (4, Gen.Const(Caller.Agent)), (1, Gen.Const(Caller.AgentWithoutTask)), (2, Gen.Const(Caller.Approver)),
            (1, Gen.Const(Caller.Nobody)), (1, Gen.Const(Caller.Forged)));
        var query = Gen.Select(Gen.Int[0, 3], text.Array[0, 3], Gen.Bool);
        var method = Gen.Frequency<string?>((17, Gen.Const<string?>((string?)null)), (1, Gen.OneOf<string?>("PUT", "DELETE", "PATCH", "OPTIONS")));

        return Gen.Select(Gen.OneOf(Routes), Gen.Select(id, id, id), method, query, body, contentType, auth)
            .Select((route, ids, otherMethod, q, b, type, caller) =>
            {
                var parts = route.Split(' ');
                var path = parts[1].Replace("{task}", ids.Item1, StringComparison.Ordinal).Replace("{request}", ids.Item2, StringComparison.Ordinal)
                    .Replace("{lease}", ids.Item3, StringComparison.Ordinal);
                var junkIndex = 0;
                while (path.Contains("{junk}", StringComparison.Ordinal))
                {
                    var junk = junkIndex++ == 0 ? ids.Item1 : ids.Item2;
                    var at = path.IndexOf("{junk}", StringComparison.Ordinal);
                    path = path[..at] + (junk.Length == 0 ? "x" : junk) + path[(at + "{junk}".Length)..];
                }

                var queryNames = QueryNames.GetValueOrDefault(parts[1]) ?? ["q"];
                var queryText = string.Join("&", q.Item2.Take(q.Item1).Select((value, i) => $"{(q.Item3 ? queryNames[i % queryNames.Length] : "x" + i)}={Uri.EscapeDataString(value)}"));
                var fields = BodyFields.FirstOrDefault(f => parts[1].EndsWith(f.Key, StringComparison.Ordinal)).Value;
                var json = parts[0] != "POST" ? null
                    : b.damage < 4 && Plausible(parts[1], b.values, world) is { } plausible ? plausible
                    : BodyText(fields ?? [], b, caller);
                return new FuzzCase(otherMethod ?? parts[0], path, queryText, json, json is null ? null : type, caller);
            });
    }

    /// <summary>A body for the route's fields: some left out, some given twice or in another case, extra keys, or broken JSON.</summary>
    private static string BodyText(string[] fields, (int OmitEvery, bool Duplicate, string[] Values, string[] ExtraKeys, int Damage) body, Caller caller)
    {
        var pairs = new List<string>();
        for (var i = 0; i < fields.Length; i++)
        {
            if (body.OmitEvery > 0 && i % (body.OmitEvery + 1) == body.OmitEvery)
            {
                continue;
            }

            var value = body.Values.Length > 0 ? body.Values[i % body.Values.Length] : "null";
            pairs.Add($"{Json(fields[i])}:{value}");
            if (body.Duplicate && i == 0)
            {
                pairs.Add($"{Json(i % 2 == 0 ? fields[i] : fields[i].ToUpperInvariant())}:{value}");
            }
        }

        pairs.AddRange(body.ExtraKeys.Take(body.Damage % 3).Select(k => $"{Json(k)}:1"));
        var json = "{" + string.Join(",", pairs) + "}";
        return body.Damage switch
        {
            7 => json[..(json.Length / 2)],
            8 => caller == Caller.Admin ? new string('[', 200) + new string(']', 200) : "\u0000\u00ff garbage",
            _ => json,
        };
    }

    /// <summary>
    /// A well-formed body for the routes that change state (requests, tasks, votes), with generated text in its
    /// fields, so that cases reach the analyzer, the connector and the store instead of stopping at validation.
    /// </summary>
    private static string? Plausible(string route, string[] values, World world)
    {
        string Pick(int i, string fallback) => values.Length > i && values[i].StartsWith('"') ? values[i] : Json(fallback);
        return route switch
        {
            "/v1/requests" => $$"""{"target":"app-db","resources":[{{Json($"{world.Database}.public.invoices")}},{{Pick(0, $"{world.Database}.hr.salaries")}}],"actions":[{{Pick(1, "SELECT")}}],"purpose":{{Pick(2, "read invoices for the billing report")}},"duration":{{Pick(3, "15m")}},"dry_run":{{(values.Length % 2 == 0 ? "true" : "false")}}}""",
            "/v1/tasks" => $$"""{"agent":"agent-a","description":{{Pick(0, "fix the billing export")}},"scope_hints":[{{Pick(1, "invoices")}}],"environment":{{Pick(2, "dev")}},"deadline":null}""",
            _ when route.EndsWith("/approve", StringComparison.Ordinal) || route.EndsWith("/deny", StringComparison.Ordinal) =>
                $$"""{"duration":{{Pick(0, "5m")}},"comment":{{Pick(1, "ok")}}}""",
            _ => null,
        };
    }

    private static string Json(string value) => System.Text.Json.JsonSerializer.Serialize(value);

    private enum Caller
    {
        Admin,
        Agent,
        AgentWithoutTask,
        Approver,
        Nobody,
        Forged,
    }

    private sealed record World(string AdminToken, string AgentToken, string TaskToken, string ApproverToken, string TaskId, string RequestId, string LeaseId, string Database);

    private sealed record FuzzCase(string Method, string Path, string Query, string? Body, string? ContentType, Caller Caller)
    {
        public HttpRequestMessage ToMessage(World world)
        {
            var message = new HttpRequestMessage(new HttpMethod(Method), Path.TrimStart('/') + (Query.Length > 0 ? "?" + Query : string.Empty));
            if (Body is not null)
            {
                message.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(Body));
                if (ContentType is not null)
                {
                    message.Content.Headers.TryAddWithoutValidation("Content-Type", ContentType);
                }
            }

            var token = Caller switch
            {
                Caller.Admin => world.AdminToken,
                Caller.Agent or Caller.AgentWithoutTask => world.AgentToken,
                Caller.Approver => world.ApproverToken,
                Caller.Forged => "aabu_forged" + world.AdminToken[^4..],
                _ => null,
            };
            if (token is not null)
            {
                message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }

            if (Caller == Caller.Agent)
            {
                message.Headers.Add(BrokerClient.TaskTokenHeader, world.TaskToken);
            }

            return message;
        }

        public override string ToString() => $"{Method} {Path}?{Query} as {Caller} [{ContentType}] {Body}";
    }
}
