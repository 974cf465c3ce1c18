using System.Net;
using AgentAccessBroker.Connectors.Slack.Tests.Fakes;

namespace AgentAccessBroker.Connectors.Slack.Tests;

public sealed class SlackSocketModeTests : IAsyncLifetime
{
    private FakeSlack _slack = null!;
    private BrokerHost _host = null!;

    public async Task InitializeAsync()
    {
        _slack = await FakeSlack.StartAsync();
        _host = await BrokerHost.StartAsync(_slack, o =>
        {
            o.Mode = SlackConnectionMode.SocketMode;
            o.ReconnectBaseDelay = TimeSpan.FromSeconds(2);
            o.ReconnectMaxDelay = TimeSpan.FromSeconds(30);
        });
        await _host.WaitUntilAsync(() => _slack.Sockets.Count == 1, "socket connected");
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _slack.DisposeAsync();
    }

    [Fact]
    public async Task Start_SocketMode_OpensConnectionWithAppTokenAndNeedsNoSignature()
    {
        var open = Assert.Single(_slack.Calls, c => c.Method == "apps.connections.open");

        Assert.Equal("Bearer " + FakeSlack.AppToken, open.Authorization);
        var httpClick = await _host.PostClickAsync(new System.Text.Json.Nodes.JsonObject { ["type"] = "block_actions" });
        Assert.Equal(HttpStatusCode.NotFound, httpClick.StatusCode);
    }

    [Fact]
    public async Task InteractiveEnvelope_Click_AcknowledgedAndVoteProcessed()
    {
        _host.Desk.Add("req_s1", "tom", "dana", 1, ("U0ALICE", "alice"));
        var ts = await _host.AnnounceAsync(BrokerHost.Notice("req_s1"));
        var socket = _slack.Sockets[0];

        var envelopeId = await socket.SendInteractiveAsync(_slack.ClickPayload(ts, "U0ALICE", "approve"));
        await _host.WaitUntilAsync(() => socket.Acks.Contains(envelopeId), "envelope acknowledged");
        await _host.WaitUntilAsync(() => _slack.Message(ts).UpdateCount == 1, "message updated");

        Assert.Equal(new InMemoryApprovalDesk.VoteCall("req_s1", "alice", true, "slack", "U0ALICE", null), Assert.Single(_host.Desk.VoteCalls));
        Assert.False(_slack.Message(ts).HasButtons);
        Assert.Contains("*Approved* by `alice` (<@U0ALICE>)", _slack.Message(ts).AllText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InteractiveEnvelope_DeskSlow_AcknowledgedBeforeTheDeskAnswers()
    {
        _host.Desk.Add("req_s2", "tom", "dana", 1, ("U0ALICE", "alice"));
        var ts = await _host.AnnounceAsync(BrokerHost.Notice("req_s2"));
        _host.Desk.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var socket = _slack.Sockets[0];

        var envelopeId = await socket.SendInteractiveAsync(_slack.ClickPayload(ts, "U0ALICE", "approve"));
        await _host.WaitUntilAsync(() => socket.Acks.Contains(envelopeId), "envelope acknowledged");

        Assert.Empty(_host.Desk.Results);
        _host.Desk.Gate.SetResult();
        await _host.WaitUntilAsync(() => _slack.Message(ts).UpdateCount == 1, "message updated");
    }

    [Fact]
    public async Task InteractiveEnvelope_UnknownUser_RepliedThroughResponseUrlAndNoVote()
    {
        _host.Desk.Add("req_s3", "tom", "dana", 1, ("U0ALICE", "alice"));
        var ts = await _host.AnnounceAsync(BrokerHost.Notice("req_s3"));

        var envelopeId = await _slack.Sockets[0].SendInteractiveAsync(_slack.ClickPayload(ts, "U0MALLORY", "approve"));
        await _host.WaitUntilAsync(() => _slack.Responses.Count == 1, "ephemeral reply");

        Assert.Contains(envelopeId, _slack.Sockets[0].Acks);
        Assert.Empty(_host.Desk.VoteCalls);
    }

    [Fact]
    public async Task Connection_Dropped_ReconnectsAfterBackoffAndKeepsProcessing()
    {
        _host.Desk.Add("req_s4", "tom", "dana", 1, ("U0ALICE", "alice"));
        var ts = await _host.AnnounceAsync(BrokerHost.Notice("req_s4"));

        _slack.Sockets[0].Abort();
        var backoff = await _host.Time.NextTimerAsync();

        Assert.InRange(backoff, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));
        Assert.Equal(1, _slack.ConnectionsOpened);
        _host.Time.Advance(backoff);
        await _host.WaitUntilAsync(() => _slack.Sockets.Count == 2, "reconnected");
        var envelopeId = await _slack.Sockets[1].SendInteractiveAsync(_slack.ClickPayload(ts, "U0ALICE", "approve"));
        await _host.WaitUntilAsync(() => _slack.Message(ts).UpdateCount == 1, "processed after reconnect");
        Assert.Contains(envelopeId, _slack.Sockets[1].Acks);
        Assert.Equal(2, _slack.ConnectionsOpened);
    }

    [Fact]
    public async Task DisconnectEnvelope_ReconnectsAtOnceWithoutBackoff()
    {
        await _slack.Sockets[0].SendDisconnectAsync("refresh_requested");

        await _host.WaitUntilAsync(() => _slack.Sockets.Count == 2 && _slack.Sockets[0].Closed, "reconnected after disconnect");

        Assert.False(_host.Time.HasPendingTimerReport);
        Assert.Equal(2, _slack.ConnectionsOpened);
    }
}
