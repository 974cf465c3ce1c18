using System.Net;
using System.Text.Json.Nodes;
using AgentAccessBroker.Connectors.Slack.Tests.Fakes;

namespace AgentAccessBroker.Connectors.Slack.Tests;

public sealed class SlackBothModesTests : BrokerHostTest
{
    protected override void Configure(SlackConnectorOptions options)
    {
        options.Mode = SlackConnectionMode.Both;
    }

    protected override async Task StartedAsync()
    {
        await Host.WaitUntilAsync(() => Slack.Sockets.Count == 1, "socket connected");
    }

    [Fact]
    public async Task Clicks_OverHttpAndSocket_ReachTheSameDeskAndDecideOnce()
    {
        Host.Desk.Add("req_both", "tom", "dana", 2, ("U0ALICE", "alice"), ("U0BOB", "bob"));
        var ts = await Host.AnnounceAsync(BrokerHost.Notice("req_both", quorum: 2));

        var response = await Host.PostClickAsync(Slack.ClickPayload(ts, "U0ALICE", "approve"));
        await Host.WaitUntilAsync(() => Slack.Message(ts).UpdateCount == 1, "HTTP click shown");
        await Slack.Sockets[0].SendInteractiveAsync(Slack.ClickPayload(ts, "U0BOB", "approve"));
        await Host.WaitUntilAsync(() => Slack.Message(ts).UpdateCount == 2, "socket click shown");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["U0ALICE", "U0BOB"], Host.Desk.VoteCalls.Select(v => v.ChannelIdentity));
        Assert.Equal(1, Host.Desk.Decisions);
        Assert.False(Slack.Message(ts).HasButtons);
    }

    [Fact]
    public async Task Flows_IncludingFailures_WriteNoSecretToLogsAuditOrReplies()
    {
        Host.Desk.Add("req_leak", "tom", "dana", 1, ("U0ALICE", "alice"));
        var ts = await Host.AnnounceAsync(BrokerHost.Notice("req_leak"));
        var payloads = new List<JsonObject>
        {
            Slack.ClickPayload(ts, "U0MALLORY", "approve"),
            Slack.ClickPayload(ts, "U0ALICE", "approve"),
        };

        await Host.PostClickAsync(payloads[0], signingSecret: "forged-secret");
        await Host.PostClickAsync(payloads[0]);
        await Host.WaitUntilAsync(() => Slack.Responses.Count == 1, "unknown user answered");
        Slack.Inject("chat.update", FakeSlack.Fault.NotOk("cant_update_message"));
        await Slack.Sockets[0].SendInteractiveAsync(payloads[1]);
        await Host.WaitUntilAsync(() => Host.Logs.Lines.Any(l => l.Contains("[7017]", StringComparison.Ordinal)), "failed update logged");
        await Slack.Sockets[0].SendDisconnectAsync("refresh_requested");
        await Host.WaitUntilAsync(() => Slack.Sockets.Count == 2, "reconnected");

        var secrets = new List<string> { FakeSlack.BotToken, FakeSlack.AppToken, BrokerHost.SigningSecret };
        secrets.AddRange(payloads.Select(p => new Uri((string)p["response_url"]!).AbsolutePath));
        var written = Host.Logs.AllText + string.Concat(Host.Audit.Entries.Select(e => e.Data.ToJsonString()))
            + string.Concat(Slack.Responses.Select(r => r.Body.ToJsonString()));
        Assert.Contains("cant_update_message", Host.Logs.AllText, StringComparison.Ordinal);
        Assert.All(secrets, secret => Assert.DoesNotContain(secret, written, StringComparison.Ordinal));
        Assert.DoesNotContain("ticket=", Host.Logs.AllText, StringComparison.Ordinal);
    }
}
