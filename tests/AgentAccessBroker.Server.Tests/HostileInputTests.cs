using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using AgentAccessBroker.Client;
using AgentAccessBroker.Testing;
using AgentAccessBroker.Testing.Broker;

namespace AgentAccessBroker.Server.Tests;

/// <summary>
/// Regression tests for the hostile-input findings: every one of these was a 500, an empty error body or a request
/// that a human could approve and the connector could not mint.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class HostileInputTests(PostgresFixture postgres)
{
    private const string OverflowingDuration = "P10675199DT2H48M5.4775808S";

    [Theory]
    [InlineData("v1/requests?status=99", "invalid_status")]
    [InlineData("v1/requests?status=-1", "invalid_status")]
    [InlineData("v1/requests?status=approved,issued", "invalid_status")]
    [InlineData("v1/requests?status=Approved", "invalid_status")]
    [InlineData("v1/requests?status=revocationfailed", "invalid_status")]
    [InlineData("v1/leases?state=6", "invalid_state")]
    [InlineData("v1/leases?state=1", "invalid_state")]
    [InlineData("v1/leases?state=revocationfailed", "invalid_state")]
    [InlineData("v1/leases?state=live,active", "invalid_state")]
    [InlineData("v1/tasks?state=0", "invalid_state")]
    public async Task ListFilter_NumberListOrUndocumentedName_Returns400WithCode(string path, string code)
    {
        await using var host = await BrokerHost.StartAsync(postgres);

        var (status, problem) = await SendAsync(host, HttpMethod.Get, path);

        Assert.Equal((400, code), (status, problem.Code));
    }

    [Theory]
    [InlineData("v1/requests?status=issued")]
    [InlineData("v1/requests?status=pending")]
    [InlineData("v1/leases?state=revocation_failed")]
    [InlineData("v1/leases?state=live")]
    [InlineData("v1/tasks?state=completed")]
    public async Task ListFilter_DocumentedName_Returns200(string path)
    {
        await using var host = await BrokerHost.StartAsync(postgres);
        using var http = Authorized(host, AdminToken(host));

        using var response = await http.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task ListRequests_StatusFilterByName_ReturnsOnlyThatStatus()
    {
        await using var host = await BrokerHost.StartAsync(postgres);
        var (agent, _) = await host.AgentWithTaskAsync("agent-a");
        await agent.SubmitRequestAsync(host.ReadInvoices(), CancellationToken.None);
        await agent.SubmitRequestAsync(host.ReadInvoices() with { Resources = [$"{host.Database}.hr.salaries"] }, CancellationToken.None);

        var issued = await host.Admin.ListRequestsAsync("issued", null, CancellationToken.None);
        var pending = await host.Admin.ListRequestsAsync("pending", null, CancellationToken.None);

        Assert.All(issued, r => Assert.Equal("issued", r.Status));
        Assert.All(pending, r => Assert.Equal("pending", r.Status));
        Assert.NotEmpty(issued);
        Assert.NotEmpty(pending);
    }

    [Theory]
    [InlineData(OverflowingDuration)]
    [InlineData("P99999999D")]
    [InlineData("PT9999999999999999999H")]
    [InlineData("P1000000Y")]
    [InlineData("-PT1H")]
    [InlineData("PT0S")]
    [InlineData("999999999d")]
    public async Task SubmitRequest_DurationOutOfRange_Returns400InvalidDuration(string duration)
    {
        await using var host = await BrokerHost.StartAsync(postgres);
        var (agent, _) = await host.AgentWithTaskAsync("agent-a");

        var refused = await Assert.ThrowsAsync<BrokerClientException>(() => agent.SubmitRequestAsync(host.ReadInvoices(duration), CancellationToken.None));

        Assert.Equal((400, "invalid_duration"), (refused.Status, refused.Code));
    }

    [Theory]
    [InlineData("approve")]
    [InlineData("deny")]
    public async Task Vote_OverflowingDuration_Returns400InvalidDuration(string vote)
    {
        await using var host = await BrokerHost.StartAsync(postgres);
        var (agent, _) = await host.AgentWithTaskAsync("agent-a");
        var pending = await agent.SubmitRequestAsync(host.ReadInvoices() with { Resources = [$"{host.Database}.hr.salaries"] }, CancellationToken.None);
        Assert.Equal("pending_approval", pending.Outcome);
        using var bob = host.ClientFor(await host.PersonAsync("bob", "approver"));

        var refused = await Assert.ThrowsAsync<BrokerClientException>(() => vote == "approve"
            ? bob.ApproveAsync(pending.Request.Id, new VoteBody(OverflowingDuration, null), CancellationToken.None)
            : bob.DenyAsync(pending.Request.Id, new VoteBody(OverflowingDuration, null), CancellationToken.None));

        Assert.Equal((400, "invalid_duration"), (refused.Status, refused.Code));
    }

    [Fact]
    public async Task StartTask_NullScopeHint_Returns400AndStoresNoTask()
    {
        await using var host = await BrokerHost.StartAsync(postgres);
        await host.AgentAsync("agent-a");

        var (status, problem) = await SendJsonAsync(host, "v1/tasks", AdminToken(host), """{"agent":"agent-a","description":"fix the export","scope_hints":[null],"environment":"dev","deadline":null}""");

        Assert.Equal((400, "invalid_scope_hints"), (status, problem.Code));
        Assert.Empty(await host.Admin.ListTasksAsync(null, CancellationToken.None));
    }

    [Theory]
    [InlineData("READ")]
    [InlineData("TRUNCATE")]
    [InlineData("SELECT; DROP TABLE invoices")]
    public async Task SubmitRequest_ActionTheConnectorDoesNotSupport_Returns400NamingAllowedActions(string action)
    {
        await using var host = await BrokerHost.StartAsync(postgres);
        var (agent, _) = await host.AgentWithTaskAsync("agent-a");

        var refused = await Assert.ThrowsAsync<BrokerClientException>(() =>
            agent.SubmitRequestAsync(host.ReadInvoices() with { Actions = [action] }, CancellationToken.None));
        var dryRun = await Assert.ThrowsAsync<BrokerClientException>(() =>
            agent.SubmitRequestAsync(host.ReadInvoices() with { Actions = [action], DryRun = true }, CancellationToken.None));

        Assert.Equal((400, "unsupported_privilege"), (refused.Status, refused.Code));
        Assert.Contains("SELECT, INSERT, UPDATE, DELETE", refused.Message, StringComparison.Ordinal);
        Assert.Equal((400, "unsupported_privilege"), (dryRun.Status, dryRun.Code));
        Assert.Empty(await host.Admin.ListRequestsAsync(null, null, CancellationToken.None));
    }

    [Fact]
    public async Task SubmitRequest_ResourceTheConnectorCannotGrant_Returns400BeforeAnyApprover()
    {
        await using var host = await BrokerHost.StartAsync(postgres);
        var (agent, _) = await host.AgentWithTaskAsync("agent-a");

        var refused = await Assert.ThrowsAsync<BrokerClientException>(() =>
            agent.SubmitRequestAsync(host.ReadInvoices() with { Resources = [$"{host.Database}.hr.salaries.extra.part"] }, CancellationToken.None));

        Assert.Equal((400, "invalid_resource"), (refused.Status, refused.Code));
        Assert.Empty(await host.Admin.ListRequestsAsync("pending", null, CancellationToken.None));
    }

    [Fact]
    public async Task SubmitRequest_ApprovedByHuman_IsMintableAsAsked()
    {
        await using var host = await BrokerHost.StartAsync(postgres);
        var (agent, _) = await host.AgentWithTaskAsync("agent-a");
        var pending = await agent.SubmitRequestAsync(host.ReadInvoices() with { Resources = [$"{host.Database}.hr.salaries"], Actions = ["select"] }, CancellationToken.None);
        Assert.Equal("pending_approval", pending.Outcome);
        using var bob = host.ClientFor(await host.PersonAsync("bob", "approver"));
        await bob.ApproveAsync(pending.Request.Id, new VoteBody(null, null), CancellationToken.None);

        var claimed = await agent.ClaimRequestAsync(pending.Request.Id, CancellationToken.None);

        Assert.Equal("granted", claimed.Outcome);
    }

    [Theory]
    [InlineData("duplicate key", """{"target":"app-db","target":"other","resources":["x"],"actions":["SELECT"],"purpose":"p","duration":"15m"}""")]
    [InlineData("case variant", """{"target":"app-db","Target":"other","resources":["x"],"actions":["SELECT"],"purpose":"p","duration":"15m"}""")]
    [InlineData("upper-case key", """{"TARGET":"app-db","resources":["x"],"actions":["SELECT"],"purpose":"p","duration":"15m"}""")]
    [InlineData("duplicate dry_run", """{"target":"app-db","resources":["x"],"actions":["SELECT"],"purpose":"p","duration":"15m","dry_run":true,"dry_run":false}""")]
    public async Task SubmitRequest_AmbiguousKeys_Returns400(string caseName, string body)
    {
        await using var host = await BrokerHost.StartAsync(postgres);
        var token = await host.AgentAsync("agent-a");
        var task = await host.StartTaskAsync("agent-a");

        var (status, problem) = await SendJsonAsync(host, "v1/requests", token, body, task.TaskToken);

        Assert.True(status == 400, $"{caseName}: {status} {problem.Code}");
        Assert.Contains(problem.Code, new[] { "invalid_json", "unknown_field" });
        Assert.Empty(await host.Admin.ListRequestsAsync(null, null, CancellationToken.None));
    }

    [Theory]
    [InlineData("v1/agents", """{"id":"agent-x","id":"admin","owner":"alice"}""")]
    [InlineData("v1/agents", """{"id":"agent-x","Owner":"alice","owner":"alice"}""")]
    [InlineData("v1/principals", """{"id":"eve","roles":["auditor"],"roles":["admin"]}""")]
    [InlineData("v1/tasks", """{"agent":"agent-a","description":"d","description":"e","scope_hints":[],"environment":"dev","deadline":null}""")]
    public async Task AdminBodies_AmbiguousKeys_Return400(string path, string body)
    {
        await using var host = await BrokerHost.StartAsync(postgres);
        await host.AgentAsync("agent-a");

        var (status, _) = await SendJsonAsync(host, path, AdminToken(host), body);

        Assert.Equal(400, status);
    }

    [Fact]
    public async Task Vote_AmbiguousKeys_Returns400()
    {
        await using var host = await BrokerHost.StartAsync(postgres);
        var (agent, _) = await host.AgentWithTaskAsync("agent-a");
        var pending = await agent.SubmitRequestAsync(host.ReadInvoices() with { Resources = [$"{host.Database}.hr.salaries"] }, CancellationToken.None);
        var bob = await host.PersonAsync("bob", "approver");

        var (status, _) = await SendJsonAsync(host, $"v1/requests/{pending.Request.Id}/approve", bob, """{"duration":"5m","Duration":"8h","comment":null}""");

        Assert.Equal(400, status);
    }

    [Fact]
    public async Task UnknownRoute_Returns404Problem()
    {
        await using var host = await BrokerHost.StartAsync(postgres);

        var (status, problem) = await SendAsync(host, HttpMethod.Get, "v1/nothing-here");

        Assert.Equal((404, "not_found"), (status, problem.Code));
    }

    [Fact]
    public async Task WrongMethod_Returns405Problem()
    {
        await using var host = await BrokerHost.StartAsync(postgres);

        var (status, problem) = await SendAsync(host, HttpMethod.Delete, "v1/tasks");

        Assert.Equal((405, "method_not_allowed"), (status, problem.Code));
    }

    [Fact]
    public async Task WrongMediaType_Returns415Problem()
    {
        await using var host = await BrokerHost.StartAsync(postgres);
        using var http = Authorized(host, AdminToken(host));

        using var response = await http.PostAsync("v1/agents", new StringContent("id=x", Encoding.UTF8, "application/x-www-form-urlencoded"));

        await AssertProblemAsync(response, 415, "unsupported_media_type");
    }

    [Fact]
    public async Task DeclaredBodyTooLarge_Returns413Problem()
    {
        await using var host = await BrokerHost.StartAsync(postgres);
        using var http = Authorized(host, AdminToken(host));

        using var response = await http.PostAsync("v1/agents", new StringContent("{\"id\":\"" + new string('a', 70 * 1024) + "\"}", Encoding.UTF8, "application/json"));

        await AssertProblemAsync(response, 413, "body_too_large");
    }

    [Fact]
    public async Task ChunkedBodyTooLarge_Returns413Problem()
    {
        await using var host = await BrokerHost.StartAsync(postgres);
        var chunk = "{\"id\":\"" + new string('a', 70 * 1024) + "\"}";

        var response = await RawAsync(host, $"POST /v1/agents HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {AdminToken(host)}\r\nContent-Type: application/json\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n{chunk.Length:x}\r\n{chunk}\r\n0\r\n\r\n");

        AssertRawProblem(response, 413, "body_too_large");
    }

    [Fact]
    public async Task BrokenChunkFraming_Returns400Problem()
    {
        await using var host = await BrokerHost.StartAsync(postgres);

        var response = await RawAsync(host, $"POST /v1/agents HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {AdminToken(host)}\r\nContent-Type: application/json\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{{}}\r\n0\r\n\r\n");

        AssertRawProblem(response, 400, "bad_request");
    }

    [Fact]
    public async Task LongRequestTarget_Returns414Problem()
    {
        await using var host = await BrokerHost.StartAsync(postgres);

        var response = await RawAsync(host, $"GET /v1/tasks?x={new string('a', 10 * 1024)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");

        AssertRawProblem(response, 414, "uri_too_long");
    }

    [Fact]
    public async Task LargeHeaders_Returns431Problem()
    {
        await using var host = await BrokerHost.StartAsync(postgres);

        var response = await RawAsync(host, $"GET /v1/tasks HTTP/1.1\r\nHost: x\r\nX-Pad: {new string('a', 40 * 1024)}\r\nConnection: close\r\n\r\n");

        AssertRawProblem(response, 431, "headers_too_large");
    }

    [Fact]
    public async Task OverRateLimit_Returns429WithRetryAfter()
    {
        await using var host = await BrokerHost.StartAsync(postgres, requestsPerMinute: 3);
        using var http = Authorized(host, AdminToken(host));

        HttpResponseMessage? limited = null;
        for (var i = 0; i < 10 && limited is null; i++)
        {
            var response = await http.GetAsync("v1/tasks");
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                limited = response;
            }
            else
            {
                response.Dispose();
            }
        }

        Assert.NotNull(limited);
        using (limited)
        {
            var retryAfter = limited.Headers.RetryAfter?.Delta;
            Assert.True(retryAfter is { TotalSeconds: >= 1 and <= 60 }, $"Retry-After: {limited.Headers.RetryAfter}");
            await AssertProblemAsync(limited, 429, "rate_limited");
        }
    }

    [Fact]
    public async Task NoToken_Returns401Problem()
    {
        await using var host = await BrokerHost.StartAsync(postgres);
        using var http = new HttpClient { BaseAddress = host.Address };

        using var response = await http.GetAsync("v1/tasks");

        await AssertProblemAsync(response, 401, "unauthenticated");
    }

    private static string AdminToken(BrokerHost host) => File.ReadAllText(Path.Combine(host.DataDirectory, "admin.token")).Trim();

    private static HttpClient Authorized(BrokerHost host, string token)
    {
        var http = new HttpClient { BaseAddress = host.Address };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    private static async Task<(int Status, Problem Problem)> SendAsync(BrokerHost host, HttpMethod method, string path)
    {
        using var http = Authorized(host, AdminToken(host));
        using var response = await http.SendAsync(new HttpRequestMessage(method, path));
        return ((int)response.StatusCode, await ReadProblemAsync(response));
    }

    private static async Task<(int Status, Problem Problem)> SendJsonAsync(BrokerHost host, string path, string token, string json, string? taskToken = null)
    {
        using var http = Authorized(host, token);
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (taskToken is not null)
        {
            request.Headers.Add(BrokerClient.TaskTokenHeader, taskToken);
        }

        using var response = await http.SendAsync(request);
        return ((int)response.StatusCode, await ReadProblemAsync(response));
    }

    private static async Task<Problem> ReadProblemAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        if ((int)response.StatusCode < 400)
        {
            return new Problem(string.Empty, text);
        }

        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(text);
        return new Problem(document.RootElement.GetProperty("code").GetString()!, document.RootElement.GetProperty("detail").GetString()!);
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, int status, string code)
    {
        var problem = await ReadProblemAsync(response);
        Assert.Equal((status, code), ((int)response.StatusCode, problem.Code));
        Assert.False(string.IsNullOrEmpty(problem.Detail));
    }

    /// <summary>
    /// Sends bytes no HttpClient would (broken framing, oversized lines) on a connection the request asks to close,
    /// and returns the status line, headers and (de-chunked) body.
    /// </summary>
    private static async Task<(string Head, string Body)> RawAsync(BrokerHost host, string request)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, host.Address.Port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var received = new MemoryStream();
        var buffer = new byte[16 * 1024];
        try
        {
            while (await stream.ReadAsync(buffer, timeout.Token) is var read and > 0)
            {
                received.Write(buffer, 0, read);
            }
        }
        catch (IOException)
        {
            // The server may reset the connection after its error response; what arrived is what counts.
        }

        var text = Encoding.UTF8.GetString(received.ToArray());
        var split = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        Assert.True(split > 0, "no response head: " + text);
        var head = text[..split];
        var body = text[(split + 4)..];
        if (head.Contains("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase))
        {
            var plain = new StringBuilder();
            while (body.Length > 0)
            {
                var lineEnd = body.IndexOf("\r\n", StringComparison.Ordinal);
                var size = Convert.ToInt32(body[..lineEnd], 16);
                if (size == 0)
                {
                    break;
                }

                plain.Append(body, lineEnd + 2, size);
                body = body[(lineEnd + 2 + size + 2)..];
            }

            body = plain.ToString();
        }

        return (head, body);
    }

    private static void AssertRawProblem((string Head, string Body) response, int status, string code)
    {
        Assert.StartsWith($"HTTP/1.1 {status} ", response.Head, StringComparison.Ordinal);
        Assert.Contains("Content-Type: application/problem+json", response.Head, StringComparison.OrdinalIgnoreCase);
        using var problem = JsonDocument.Parse(response.Body);
        Assert.Equal(code, problem.RootElement.GetProperty("code").GetString());
    }

    private sealed record Problem(string Code, string Detail);
}
