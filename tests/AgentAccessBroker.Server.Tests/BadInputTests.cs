using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using AgentAccessBroker.Client;
using AgentAccessBroker.Testing;
using AgentAccessBroker.Testing.Broker;

namespace AgentAccessBroker.Server.Tests;

/// <summary>Bad input gets a 400 ProblemDetails with a stable code, never a 500.</summary>
[Collection(PostgresCollection.Name)]
public sealed class BadInputTests(PostgresFixture postgres)
{
    public static TheoryData<string, string> BadBodies => new()
    {
        { "malformed_json", "{\"target\": \"app-db\", \"resources\": [" },
        { "unknown_field", "{\"target\":\"app-db\",\"resources\":[\"x\"],\"actions\":[\"SELECT\"],\"purpose\":\"p\",\"duration\":\"15m\",\"sudo\":true}" },
        { "invalid_duration", "{\"target\":\"app-db\",\"resources\":[\"x\"],\"actions\":[\"SELECT\"],\"purpose\":\"p\",\"duration\":\"forever\"}" },
        { "negative_duration", "{\"target\":\"app-db\",\"resources\":[\"x\"],\"actions\":[\"SELECT\"],\"purpose\":\"p\",\"duration\":\"0s\"}" },
        { "unknown_target", "{\"target\":\"prod-everything\",\"resources\":[\"x\"],\"actions\":[\"SELECT\"],\"purpose\":\"p\",\"duration\":\"15m\"}" },
        { "missing_actions", "{\"target\":\"app-db\",\"resources\":[\"x\"],\"actions\":[],\"purpose\":\"p\",\"duration\":\"15m\"}" },
        { "wrong_type", "{\"target\":\"app-db\",\"resources\":\"x\",\"actions\":[\"SELECT\"],\"purpose\":\"p\",\"duration\":\"15m\"}" },
        { "empty_body", "" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task SubmitRequest_BadBody_Returns400ProblemWithCode(string caseName, string body)
    {
        await using var host = await BrokerHost.StartAsync(postgres);
        var token = await host.AgentAsync("agent-a");
        var task = await host.StartTaskAsync("agent-a");
        using var http = new HttpClient { BaseAddress = host.Address };
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/requests") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Add(BrokerClient.TaskTokenHeader, task.TaskToken);

        using var response = await http.SendAsync(request);

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(400 == (int)response.StatusCode, $"{caseName}: {(int)response.StatusCode} {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(text);
        Assert.False(string.IsNullOrEmpty(problem.RootElement.GetProperty("code").GetString()));
        Assert.False(string.IsNullOrEmpty(problem.RootElement.GetProperty("detail").GetString()));
        Assert.DoesNotContain("Exception", text, StringComparison.Ordinal);
        Assert.DoesNotContain(task.TaskToken, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SubmitRequest_BadInputs_UseStableCodes()
    {
        await using var host = await BrokerHost.StartAsync(postgres);
        var (agent, _) = await host.AgentWithTaskAsync("agent-a");

        var unknownTarget = await Assert.ThrowsAsync<BrokerClientException>(() =>
            agent.SubmitRequestAsync(host.ReadInvoices() with { Target = "nope" }, CancellationToken.None));
        var badDuration = await Assert.ThrowsAsync<BrokerClientException>(() =>
            agent.SubmitRequestAsync(host.ReadInvoices("a while"), CancellationToken.None));
        var tooLong = await Assert.ThrowsAsync<BrokerClientException>(() =>
            agent.SubmitRequestAsync(host.ReadInvoices("2d"), CancellationToken.None));

        Assert.Equal(("unknown_target", 400), (unknownTarget.Code, unknownTarget.Status));
        Assert.Equal(("invalid_duration", 400), (badDuration.Code, badDuration.Status));
        Assert.Equal(("invalid_duration", 400), (tooLong.Code, tooLong.Status));
    }

    [Fact]
    public async Task OpenApiAndHealth_AreServedWithoutToken()
    {
        await using var host = await BrokerHost.StartAsync(postgres);
        using var http = new HttpClient { BaseAddress = host.Address };

        using var openApi = JsonDocument.Parse(await http.GetStringAsync("openapi/v1.json"));
        using var health = JsonDocument.Parse(await http.GetStringAsync("healthz"));

        Assert.True(openApi.RootElement.GetProperty("paths").TryGetProperty("/v1/requests", out _));
        Assert.Equal("ok", health.RootElement.GetProperty("status").GetString());
    }

    [Fact]
    public async Task SubmitRequest_OverRateLimit_Returns429Problem()
    {
        await using var host = await BrokerHost.StartAsync(postgres, requestsPerMinute: 5);
        var (agent, _) = await host.AgentWithTaskAsync("agent-a");

        BrokerClientException? limited = null;
        for (var i = 0; i < 10 && limited is null; i++)
        {
            try
            {
                await agent.ListLeasesAsync(null, null, CancellationToken.None);
            }
            catch (BrokerClientException e)
            {
                limited = e;
            }
        }

        Assert.NotNull(limited);
        Assert.Equal((429, "rate_limited"), (limited.Status, limited.Code));
    }
}
