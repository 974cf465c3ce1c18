using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using AgentAccessBroker.Client;
using AgentAccessBroker.Connectors.Slack.Interactivity;
using AgentAccessBroker.Connectors.Slack.Tests.Fakes;
using AgentAccessBroker.Testing;
using RealBroker = AgentAccessBroker.Testing.Broker.BrokerHost;

namespace AgentAccessBroker.Connectors.Slack.Tests;

/// <summary>
/// The whole approval path with the real broker (real desk, store, Quartz and PostgreSQL provider) talking to the fake
/// Slack: the announcement, signed clicks racing, the outcome on the message, and expiry shown there.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class SlackBrokerEndToEndTests(PostgresFixture postgres)
{
    private const string SigningSecret = "e2e-signing-secret-4b1d9c7f0a";

    [Fact]
    public async Task TwentyConcurrentApproveClicks_OnRealBroker_ExactlyOneLeaseAndMessageShowsOutcome()
    {
        await using var slack = await FakeSlack.StartAsync();
        using var environment = SlackEnvironment(slack);
        await using var host = await RealBroker.StartAsync(postgres);
        var (agent, task) = await host.AgentWithTaskAsync("agent-a");

        var pending = await agent.SubmitRequestAsync(SalaryRead(host), CancellationToken.None);
        await slack.Changed.WaitUntilAsync(() => slack.Messages.Count == 1, "the approval message");
        var message = slack.Messages.Single();
        using var http = new HttpClient();
        var clicks = Enumerable.Range(0, 20).Select(_ => PostClickAsync(http, host.Address, slack.ClickPayload(message.Ts, "U0BOB", "approve")));
        var responses = await Task.WhenAll(clicks);
        await slack.Changed.WaitUntilAsync(() => !slack.Message(message.Ts).HasButtons, "the decided message");
        var claims = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => agent.ClaimRequestAsync(pending.Request.Id, CancellationToken.None)));

        Assert.Equal("pending_approval", pending.Outcome);
        Assert.All(responses, r => Assert.Equal(200, (int)r.StatusCode));
        Assert.Single(claims, c => c.Outcome == "granted");
        Assert.Single(await host.Admin.ListLeasesAsync(task.Task.Id, null, CancellationToken.None));
        Assert.Contains("bob", slack.Message(message.Ts).AllText, StringComparison.Ordinal);
        Assert.Contains(message.Ts, slack.Messages.Select(m => m.Ts));
    }

    [Fact]
    public async Task UnansweredRequest_OnRealBroker_ExpiresAndMessageSaysSo()
    {
        await using var slack = await FakeSlack.StartAsync();
        using var environment = SlackEnvironment(slack);
        await using var host = await RealBroker.StartAsync(postgres, approvalTimeout: "2s");
        var (agent, _) = await host.AgentWithTaskAsync("agent-a");

        var pending = await agent.SubmitRequestAsync(SalaryRead(host), CancellationToken.None);
        await slack.Changed.WaitUntilAsync(() => slack.Messages.Count == 1, "the approval message");
        var ts = slack.Messages.Single().Ts;
        await slack.Changed.WaitUntilAsync(() => !slack.Message(ts).HasButtons, "the expired message", TimeSpan.FromSeconds(30));

        Assert.Contains("xpired", slack.Message(ts).AllText, StringComparison.Ordinal);
        Assert.Equal("expired", (await host.Admin.GetRequestAsync(pending.Request.Id, CancellationToken.None)).Status);
    }

    [Fact]
    public async Task ClickFromUnknownSlackUser_OnRealBroker_DecidesNothing()
    {
        await using var slack = await FakeSlack.StartAsync();
        using var environment = SlackEnvironment(slack);
        await using var host = await RealBroker.StartAsync(postgres);
        var (agent, _) = await host.AgentWithTaskAsync("agent-a");
        var pending = await agent.SubmitRequestAsync(SalaryRead(host), CancellationToken.None);
        await slack.Changed.WaitUntilAsync(() => slack.Messages.Count == 1, "the approval message");
        using var http = new HttpClient();

        var response = await PostClickAsync(http, host.Address, slack.ClickPayload(slack.Messages.Single().Ts, "U0STRANGER", "approve"));
        await slack.Changed.WaitUntilAsync(() => !slack.Responses.IsEmpty, "the private rejection");

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("pending", (await host.Admin.GetRequestAsync(pending.Request.Id, CancellationToken.None)).Status);
        Assert.True(slack.Messages.Single().HasButtons);
    }

    private static AccessRequestBody SalaryRead(RealBroker host) =>
        new("app-db", [$"{host.Database}.hr.salaries"], ["SELECT"], "Check salary rows the billing export joins on", "15m");

    private static Task<HttpResponseMessage> PostClickAsync(HttpClient http, Uri broker, JsonObject payload)
    {
        var body = "payload=" + Uri.EscapeDataString(payload.ToJsonString());
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(broker, "v1/slack/interactivity")) { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");
        request.Headers.Add(SlackSignature.TimestampHeader, timestamp);
        request.Headers.Add(SlackSignature.SignatureHeader, SlackSignature.Sign(SigningSecret, timestamp, Encoding.UTF8.GetBytes(body)));
        return http.SendAsync(request);
    }

    /// <summary>Turns Slack on for brokers started inside the scope, pointed at the fake; restores the environment after.</summary>
    private static EnvironmentScope SlackEnvironment(FakeSlack slack) => new(new Dictionary<string, string?>
    {
        ["AAB_SLACK_BOT_TOKEN"] = FakeSlack.BotToken,
        ["AAB_SLACK_SIGNING_SECRET"] = SigningSecret,
        ["AAB_SLACK_API_URL"] = slack.ApiBaseUrl.AbsoluteUri,
        ["AAB_SLACK_DEFAULT_CHANNEL"] = FakeSlack.ApproverChannel,
    });

    private sealed class EnvironmentScope : IDisposable
    {
        private readonly Dictionary<string, string?> _previous = [];

        public EnvironmentScope(IReadOnlyDictionary<string, string?> values)
        {
            foreach (var (key, value) in values)
            {
                _previous[key] = Environment.GetEnvironmentVariable(key);
                Environment.SetEnvironmentVariable(key, value);
            }
        }

        public void Dispose()
        {
            foreach (var (key, value) in _previous)
            {
                Environment.SetEnvironmentVariable(key, value);
            }
        }
    }
}
