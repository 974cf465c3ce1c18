using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using AgentAccessBroker.Client;
using AgentAccessBroker.Mcp.Tests.Harness;
using AgentAccessBroker.Testing;
using AgentAccessBroker.Testing.Broker;
using Npgsql;

namespace AgentAccessBroker.Mcp.Tests;

/// <summary>
/// Remote agents: the official TypeScript SDK client over Streamable HTTP against a real broker's /mcp, with JWT access
/// tokens from a real authorization server (oidc-provider) and with the embedded broker-token default.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class RemoteMcpTests(PostgresFixture postgres)
{
    private const string Initialize = """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}""";

    [Fact]
    public async Task Mcp_NoToken_Returns401NamingTheResourceMetadataWhichNamesTheAuthorizationServer()
    {
        await using var broker = await RemoteBroker.StartAsync(postgres);
        await using var client = await RemoteMcpClient.StartAsync(broker.Resource);

        var (status, challenge) = await PostInitializeAsync(broker.Resource, null);
        var metadataUrl = System.Text.RegularExpressions.Regex.Match(challenge, "resource_metadata=\"([^\"]+)\"").Groups[1].Value;
        using var http = new HttpClient();
        var metadata = await http.GetFromJsonAsync<JsonElement>(metadataUrl);
        var connected = await client.ConnectAsync(new Dictionary<string, string>());

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.StartsWith("Bearer ", challenge, StringComparison.Ordinal);
        Assert.Equal($"{broker.Resource.GetLeftPart(UriPartial.Authority)}/.well-known/oauth-protected-resource/mcp", metadataUrl);
        Assert.Equal(broker.Resource.AbsoluteUri, metadata.GetProperty("resource").GetString());
        Assert.Equal(broker.Issuer, Assert.Single(metadata.GetProperty("authorization_servers").EnumerateArray()).GetString());
        Assert.Contains("aab.access", metadata.GetProperty("scopes_supported").EnumerateArray().Select(s => s.GetString()));
        Assert.False(connected.GetProperty("ok").GetBoolean(), connected.ToString());
    }

    [Fact]
    public async Task Mcp_JwtFromTheAuthorizationServer_GrantDenialApprovalAndReleaseAllWithValidStructuredResults()
    {
        await using var broker = await RemoteBroker.StartAsync(postgres);
        var (_, task) = broker.Agents["agent-a"];
        var token = await broker.TokenAsync("agent-a", task: task.Task.Id);
        await using var client = await RemoteMcpClient.StartAsync(broker.Resource);

        var connected = await client.ConnectAsync(new Dictionary<string, string> { ["Authorization"] = "Bearer " + token });

        Assert.True(connected.GetProperty("ok").GetBoolean(), connected.ToString());
        Assert.False(connected.GetProperty("capabilities").TryGetProperty("logging", out _));
        Assert.False(connected.GetProperty("capabilities").GetProperty("tools").TryGetProperty("listChanged", out _));
        await ToolPathAsync(client, broker.Host, task.Task.Id);
    }

    [Fact]
    public async Task Stdio_SameToolPathThroughTheTypeScriptClient_HasValidStructuredResults()
    {
        await using var broker = await BrokerWithTask.StartAsync(postgres);
        await using var client = await RemoteMcpClient.StartAsync(broker.Host.Address);

        var connected = await client.ConnectStdioAsync(new Dictionary<string, string>
        {
            ["AAB_SERVER"] = broker.Host.Address.ToString(),
            ["AAB_TOKEN"] = broker.AgentToken,
            ["AAB_TASK_TOKEN"] = broker.Task.TaskToken,
        });

        Assert.True(connected.GetProperty("ok").GetBoolean(), connected.ToString());
        Assert.False(connected.GetProperty("capabilities").TryGetProperty("logging", out _));
        await ToolPathAsync(client, broker.Host, broker.Task.Task.Id);
    }

    /// <summary>
    /// What an agent does in a task, whatever the transport: list the tools, take a grant and use it on PostgreSQL, be
    /// denied with a narrower request, wait out an approval, list, describe, release everything; every structured
    /// result validated by ajv against the tool's output schema.
    /// </summary>
    private static async Task ToolPathAsync(RemoteMcpClient client, BrokerHost host, string taskId)
    {
        var approver = host.ClientFor(await host.PersonAsync("bob", "approver"));
        var tools = await client.ListAsync();
        var granted = await client.CallAsync("request_access", Request(host.ReadInvoices()));
        var fields = granted.GetProperty("structured").GetProperty("credential").GetProperty("fields");
        var rows = await BrokerHost.QueryAsync(new NpgsqlConnectionStringBuilder
        {
            Host = fields.GetProperty("host").GetString(),
            Port = int.Parse(fields.GetProperty("port").GetString()!, System.Globalization.CultureInfo.InvariantCulture),
            Database = fields.GetProperty("database").GetString(),
            Username = fields.GetProperty("user").GetString(),
            Password = fields.GetProperty("password").GetString(),
        }.ConnectionString, "SELECT count(*) FROM public.invoices");
        var denied = await client.CallAsync("request_access", Request(new AccessRequestBody(
            "app-db", [$"{host.Database}.public.*"], ["SELECT", "DELETE"], host.ReadInvoices().Purpose, "4h")));
        var pending = await client.CallAsync("request_access", Request(new AccessRequestBody(
            "app-db", [$"{host.Database}.hr.salaries"], ["SELECT"], "Check salary rows the billing export joins on", "15m")));
        var requestId = pending.GetProperty("structured").GetProperty("request_id").GetString()!;
        await approver.ApproveAsync(requestId, new VoteBody(null, "ok"), CancellationToken.None);
        var approved = await client.CallAsync("check_request", new Dictionary<string, object> { ["request_id"] = requestId, ["wait_seconds"] = 10 });
        var missing = await client.CallAsync("check_request", new Dictionary<string, object> { ["wait_seconds"] = 5 });
        var mistyped = await client.CallAsync("request_access", new Dictionary<string, object> { ["target"] = "app-db", ["resources"] = "x", ["actions"] = new[] { "SELECT" }, ["purpose"] = "p" });
        var listed = await client.CallAsync("list_access");
        var described = await client.CallAsync("describe_targets");
        var released = await client.CallAsync("release_access", new Dictionary<string, object> { ["all"] = true });

        Assert.Equal(5, tools.GetProperty("tools").GetArrayLength());
        Assert.All(tools.GetProperty("tools").EnumerateArray(), t => Assert.True(t.GetProperty("hasOutputSchema").GetBoolean()));
        foreach (var result in new[] { granted, denied, pending, approved, missing, mistyped, listed, described, released })
        {
            Assert.True(result.GetProperty("ok").GetBoolean(), result.ToString());
            Assert.True(result.GetProperty("valid").GetBoolean(), result.ToString());
        }

        Assert.Equal("granted", granted.GetProperty("structured").GetProperty("outcome").GetString());
        Assert.StartsWith("postgresql://", granted.GetProperty("structured").GetProperty("credential").GetProperty("libpq_url").GetString(), StringComparison.Ordinal);
        Assert.Equal(7L, rows);
        Assert.True(denied.GetProperty("isError").GetBoolean());
        Assert.Equal("denied", denied.GetProperty("structured").GetProperty("outcome").GetString());
        Assert.Equal(JsonValueKind.Object, denied.GetProperty("structured").GetProperty("narrower_request").ValueKind);
        Assert.Equal("pending_approval", pending.GetProperty("structured").GetProperty("outcome").GetString());
        Assert.Equal("granted", approved.GetProperty("structured").GetProperty("outcome").GetString());
        Assert.Equal("request_id", missing.GetProperty("structured").GetProperty("error").GetProperty("field").GetString());
        Assert.Equal("resources", mistyped.GetProperty("structured").GetProperty("error").GetProperty("field").GetString());
        Assert.DoesNotContain("An error occurred", mistyped.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Equal(2, listed.GetProperty("structured").GetProperty("leases").GetArrayLength());
        Assert.Equal(taskId, described.GetProperty("structured").GetProperty("task").GetProperty("id").GetString());
        Assert.Equal("task_completed", released.GetProperty("structured").GetProperty("outcome").GetString());
        Assert.Equal(2, released.GetProperty("structured").GetProperty("leases_revoked").GetInt32());
        await Assert.ThrowsAsync<PostgresException>(() => BrokerHost.QueryAsync(
            $"Host={fields.GetProperty("host").GetString()};Port={fields.GetProperty("port").GetString()};Database={fields.GetProperty("database").GetString()};Username={fields.GetProperty("user").GetString()};Password={fields.GetProperty("password").GetString()}",
            "SELECT 1"));
    }

    [Fact]
    public async Task Mcp_WrongAudienceExpiredUnknownIssuerOrTamperedToken_Refused401()
    {
        await using var broker = await RemoteBroker.StartAsync(postgres);
        var good = await broker.TokenAsync("agent-a");
        var parts = good.Split('.');
        var payload = Encoding.UTF8.GetString(Microsoft.IdentityModel.Tokens.Base64UrlEncoder.DecodeBytes(parts[1])).Replace("agent-a", "agent-b", StringComparison.Ordinal);
        var tampered = $"{parts[0]}.{Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(payload)}.{parts[2]}";
        var tokens = new Dictionary<string, string>
        {
            ["wrong audience"] = await broker.TokenAsync("agent-a", resource: "http://elsewhere.test/mcp"),
            ["expired"] = broker.SignedToken(broker.Issuer, broker.Resource.AbsoluteUri, "agent-a", DateTimeOffset.UtcNow.AddMinutes(-5)),
            ["unknown issuer"] = broker.SignedToken("http://127.0.0.1:1/other-issuer", broker.Resource.AbsoluteUri, "agent-a", DateTimeOffset.UtcNow.AddMinutes(5), withProviderKey: false),
            ["tampered"] = tampered,
        };

        var (goodStatus, _) = await PostInitializeAsync(broker.Resource, good);
        var (validSignedStatus, _) = await PostInitializeAsync(broker.Resource, broker.SignedToken(broker.Issuer, broker.Resource.AbsoluteUri, "agent-a", DateTimeOffset.UtcNow.AddMinutes(5)));
        Assert.Equal(HttpStatusCode.OK, goodStatus);
        Assert.Equal(HttpStatusCode.OK, validSignedStatus);
        foreach (var (kind, token) in tokens)
        {
            var (status, challenge) = await PostInitializeAsync(broker.Resource, token);
            Assert.True(status == HttpStatusCode.Unauthorized, $"{kind}: {status}");
            Assert.Contains("error=\"invalid_token\"", challenge, StringComparison.Ordinal);
            Assert.Contains("resource_metadata=", challenge, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Mcp_TokenWithoutTheScope_Returns403InsufficientScope()
    {
        await using var broker = await RemoteBroker.StartAsync(postgres);

        var (status, challenge) = await PostInitializeAsync(broker.Resource, await broker.TokenAsync("agent-a", scope: null));

        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Contains("error=\"insufficient_scope\"", challenge, StringComparison.Ordinal);
        Assert.Contains("scope=\"aab.access\"", challenge, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mcp_AgentAActingOnAgentBsTask_IsRefusedWithJwtClaimAndWithTaskTokenHeader()
    {
        await using var broker = await RemoteBroker.StartAsync(postgres);
        var (tokenA, _) = broker.Agents["agent-a"];
        var (_, taskB) = broker.Agents["agent-b"];
        await using var viaClaim = await RemoteMcpClient.StartAsync(broker.Resource);
        await using var viaHeader = await RemoteMcpClient.StartAsync(broker.Resource);

        await viaClaim.ConnectAsync(new Dictionary<string, string> { ["Authorization"] = "Bearer " + await broker.TokenAsync("agent-a", task: taskB.Task.Id) });
        await viaHeader.ConnectAsync(new Dictionary<string, string> { ["Authorization"] = "Bearer " + tokenA, [BrokerClient.TaskTokenHeader] = taskB.TaskToken });
        await viaClaim.ListAsync();
        await viaHeader.ListAsync();
        var claimed = await viaClaim.CallAsync("request_access", Request(broker.Host.ReadInvoices()));
        var headed = await viaHeader.CallAsync("request_access", Request(broker.Host.ReadInvoices()));

        foreach (var result in new[] { claimed, headed })
        {
            Assert.True(result.GetProperty("isError").GetBoolean(), result.ToString());
            Assert.True(result.GetProperty("valid").GetBoolean(), result.ToString());
            Assert.Equal(JsonValueKind.Null, result.GetProperty("structured").GetProperty("credential").ValueKind);
            Assert.StartsWith("invalid_task", result.GetProperty("structured").GetProperty("error").GetProperty("code").GetString(), StringComparison.Ordinal);
        }

        Assert.Empty(await broker.Host.Admin.ListLeasesAsync(taskB.Task.Id, null, CancellationToken.None));
    }

    [Fact]
    public async Task Mcp_EmbeddedDefaultBrokerTokenAndTaskHeader_GrantsWithValidStructuredResult()
    {
        await using var broker = await RemoteBroker.StartAsync(postgres);
        var (token, task) = broker.Agents["agent-a"];
        await using var client = await RemoteMcpClient.StartAsync(broker.Resource);

        var connected = await client.ConnectAsync(new Dictionary<string, string> { ["Authorization"] = "Bearer " + token, [BrokerClient.TaskTokenHeader] = task.TaskToken });
        await client.ListAsync();
        var granted = await client.CallAsync("request_access", Request(broker.Host.ReadInvoices()));
        var described = await client.CallAsync("describe_targets");

        Assert.True(connected.GetProperty("ok").GetBoolean(), connected.ToString());
        Assert.Equal("granted", granted.GetProperty("structured").GetProperty("outcome").GetString());
        Assert.True(granted.GetProperty("valid").GetBoolean(), granted.ToString());
        Assert.Equal(task.Task.Id, described.GetProperty("structured").GetProperty("task").GetProperty("id").GetString());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Mcp_BodyOverTheLimit_Returns413SayingSoInWords(bool chunked)
    {
        await using var broker = await RemoteBroker.StartAsync(postgres);
        var (token, task) = broker.Agents["agent-a"];
        var purpose = new string('x', 70 * 1024);
        var call = "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"request_access\",\"arguments\":{\"purpose\":\"" + purpose + "\"}}}";
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, broker.Resource)
        {
            Content = chunked ? new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(call))) : new StringContent(call, Encoding.UTF8, "application/json"),
        };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        request.Headers.TransferEncodingChunked = chunked;
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Accept.ParseAdd("text/event-stream");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        request.Headers.Add(BrokerClient.TaskTokenHeader, task.TaskToken);

        using var response = await http.SendAsync(request);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("body_too_large", problem.GetProperty("code").GetString());
        Assert.Contains("larger than the broker accepts", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    private static Dictionary<string, object> Request(AccessRequestBody body) => new()
    {
        ["target"] = body.Target,
        ["resources"] = body.Resources,
        ["actions"] = body.Actions,
        ["purpose"] = body.Purpose,
        ["duration"] = body.Duration,
    };

    private static async Task<(HttpStatusCode Status, string Challenge)> PostInitializeAsync(Uri mcp, string? token)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, mcp) { Content = new StringContent(Initialize, Encoding.UTF8, "application/json") };
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Accept.ParseAdd("text/event-stream");
        if (token is not null)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await http.SendAsync(request);
        return (response.StatusCode, response.Headers.WwwAuthenticate.ToString());
    }
}
