using System.Net;
using System.Text.Json.Nodes;
using AgentAccessBroker.Connectors.Slack.Tests.Fakes;

namespace AgentAccessBroker.Connectors.Slack.Tests;

public sealed class SlackBothModesTests : IAsyncLifetime
{
    private FakeSlack _slack = null!;
    private BrokerHost _host = null!;

    public async Task InitializeAsync()
    {
        _slack = await FakeSlack.StartAsync();
        _host = await BrokerHost.StartAsync(_slack, o => o.Mode = SlackConnectionMode.Both);
        await _host.WaitUntilAsync(() => _slack.Sockets.Count == 1, "socket connected");
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _slack.DisposeAsync();
    }

    [Fact]
    public async Task Clicks_OverHttpAndSocket_ReachTheSameDeskAndDecideOnce()
    {
        _host.Desk.Add("req_both", "tom", "dana", 2, ("U0ALICE", "alice"), ("U0BOB", "bob"));
        var ts = await _host.AnnounceAsync(BrokerHost.Notice("req_both", quorum: 2));

        var response = await _host.PostClickAsync(_slack.ClickPayload(ts, "U0ALICE", "approve"));
        await _host.WaitUntilAsync(() => _slack.Message(ts).UpdateCount == 1, "HTTP click shown");
        await _slack.Sockets[0].SendInteractiveAsync(_slack.ClickPayload(ts, "U0BOB", "approve"));
        await _host.WaitUntilAsync(() => _slack.Message(ts).UpdateCount == 2, "socket click shown");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["U0ALICE", "U0BOB"], _host.Desk.VoteCalls.Select(v => v.ChannelIdentity));
        Assert.Equal(1, _host.Desk.Decisions);
        Assert.False(_slack.Message(ts).HasButtons);
    }

    [Fact]
    public async Task Flows_IncludingFailures_WriteNoSecretToLogsAuditOrReplies()
    {
        _host.Desk.Add("req_leak", "tom", "dana", 1, ("U0ALICE", "alice"));
        var ts = await _host.AnnounceAsync(BrokerHost.Notice("req_leak"));
        var payloads = new List<JsonObject>
        {
            _slack.ClickPayload(ts, "U0MALLORY", "approve"),
            _slack.ClickPayload(ts, "U0ALICE", "approve"),
        };

        await _host.PostClickAsync(payloads[0], signingSecret: "forged-secret");
        await _host.PostClickAsync(payloads[0]);
        await _host.WaitUntilAsync(() => _slack.Responses.Count == 1, "unknown user answered");
        _slack.Inject("chat.update", FakeSlack.Fault.NotOk("cant_update_message"));
        await _slack.Sockets[0].SendInteractiveAsync(payloads[1]);
        await _host.WaitUntilAsync(() => _host.Logs.Lines.Any(l => l.Contains("[7017]", StringComparison.Ordinal)), "failed update logged");
        await _slack.Sockets[0].SendDisconnectAsync("refresh_requested");
        await _host.WaitUntilAsync(() => _slack.Sockets.Count == 2, "reconnected");

        var secrets = new List<string> { FakeSlack.BotToken, FakeSlack.AppToken, BrokerHost.SigningSecret };
        secrets.AddRange(payloads.Select(p => new Uri((string)p["response_url"]!).AbsolutePath));
        var written = _host.Logs.AllText + string.Concat(_host.Audit.Entries.Select(e => e.Data.ToJsonString()))
            + string.Concat(_slack.Responses.Select(r => r.Body.ToJsonString()));
        Assert.Contains("cant_update_message", _host.Logs.AllText, StringComparison.Ordinal);
        Assert.All(secrets, secret => Assert.DoesNotContain(secret, written, StringComparison.Ordinal));
        Assert.DoesNotContain("ticket=", _host.Logs.AllText, StringComparison.Ordinal);
    }
}
