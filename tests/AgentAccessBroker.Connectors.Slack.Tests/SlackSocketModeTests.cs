using System.Net;
using AgentAccessBroker.Connectors.Slack.Tests.Fakes;
using AgentAccessBroker.Testing.Fakes;

namespace AgentAccessBroker.Connectors.Slack.Tests;

public sealed class SlackSocketModeTests : BrokerHostTest
{
    protected override void Configure(SlackConnectorOptions options)
    {
        options.Mode = SlackConnectionMode.SocketMode;
        options.ReconnectBaseDelay = TimeSpan.FromSeconds(2);
        options.ReconnectMaxDelay = TimeSpan.FromSeconds(30);
    }

    protected override async Task StartedAsync()
    {
        await Host.WaitUntilAsync(() => Slack.Sockets.Count == 1, "socket connected");
    }

    [Fact]
    public async Task Start_SocketMode_OpensConnectionWithAppTokenAndNeedsNoSignature()
    {
        var open = Assert.Single(Slack.Calls, c => c.Method == "apps.connections.open");

        Assert.Equal("Bearer " + FakeSlack.AppToken, open.Authorization);
        var httpClick = await Host.PostClickAsync(new System.Text.Json.Nodes.JsonObject { ["type"] = "block_actions" });
        Assert.Equal(HttpStatusCode.NotFound, httpClick.StatusCode);
    }

    [Fact]
    public async Task InteractiveEnvelope_Click_AcknowledgedAndVoteProcessed()
    {
        Host.Desk.Add("req_s1", "tom", "dana", 1, ("U0ALICE", "alice"));
        var ts = await Host.AnnounceAsync(BrokerHost.Notice("req_s1"));
        var socket = Slack.Sockets[0];

        var envelopeId = await socket.SendInteractiveAsync(Slack.ClickPayload(ts, "U0ALICE", "approve"));
        await Host.WaitUntilAsync(() => socket.Acks.Contains(envelopeId), "envelope acknowledged");
        await Host.WaitUntilAsync(() => Slack.Message(ts).UpdateCount == 1, "message updated");

        Assert.Equal(new InMemoryApprovalDesk.VoteCall("req_s1", "alice", true, "slack", "U0ALICE", null), Assert.Single(Host.Desk.VoteCalls));
        Assert.False(Slack.Message(ts).HasButtons);
        Assert.Contains("*Approved* by `alice` (<@U0ALICE>)", Slack.Message(ts).AllText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InteractiveEnvelope_DeskSlow_AcknowledgedBeforeTheDeskAnswers()
    {
        Host.Desk.Add("req_s2", "tom", "dana", 1, ("U0ALICE", "alice"));
        var ts = await Host.AnnounceAsync(BrokerHost.Notice("req_s2"));
        Host.Desk.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var socket = Slack.Sockets[0];

        var envelopeId = await socket.SendInteractiveAsync(Slack.ClickPayload(ts, "U0ALICE", "approve"));
        await Host.WaitUntilAsync(() => socket.Acks.Contains(envelopeId), "envelope acknowledged");

        Assert.Empty(Host.Desk.Results);
        Host.Desk.Gate.SetResult();
        await Host.WaitUntilAsync(() => Slack.Message(ts).UpdateCount == 1, "message updated");
    }

    [Fact]
    public async Task InteractiveEnvelope_UnknownUser_RepliedThroughResponseUrlAndNoVote()
    {
        Host.Desk.Add("req_s3", "tom", "dana", 1, ("U0ALICE", "alice"));
        var ts = await Host.AnnounceAsync(BrokerHost.Notice("req_s3"));

        var envelopeId = await Slack.Sockets[0].SendInteractiveAsync(Slack.ClickPayload(ts, "U0MALLORY", "approve"));
        await Host.WaitUntilAsync(() => Slack.Responses.Count == 1, "ephemeral reply");
        await Host.WaitUntilAsync(() => Slack.Sockets[0].Acks.Contains(envelopeId), "envelope acknowledged");

        Assert.Empty(Host.Desk.VoteCalls);
    }

    [Fact]
    public async Task Connection_Dropped_ReconnectsAfterBackoffAndKeepsProcessing()
    {
        Host.Desk.Add("req_s4", "tom", "dana", 1, ("U0ALICE", "alice"));
        var ts = await Host.AnnounceAsync(BrokerHost.Notice("req_s4"));

        Slack.Sockets[0].Abort();
        var backoff = await Host.Time.NextTimerAsync();

        Assert.InRange(backoff, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));
        Assert.Equal(1, Slack.ConnectionsOpened);
        Host.Time.Advance(backoff);
        await Host.WaitUntilAsync(() => Slack.Sockets.Count == 2, "reconnected");
        var envelopeId = await Slack.Sockets[1].SendInteractiveAsync(Slack.ClickPayload(ts, "U0ALICE", "approve"));
        await Host.WaitUntilAsync(() => Slack.Message(ts).UpdateCount == 1, "processed after reconnect");
        // The acknowledgement goes back over the socket and the update over the Web API: the fake Slack may see them in
        // either order.
        await Host.WaitUntilAsync(() => Slack.Sockets[1].Acks.Contains(envelopeId), "envelope acknowledged on the new connection");
        Assert.Equal(2, Slack.ConnectionsOpened);
    }

    [Fact]
    public async Task DisconnectEnvelope_ReconnectsAtOnceWithoutBackoff()
    {
        await Slack.Sockets[0].SendDisconnectAsync("refresh_requested");

        await Host.WaitUntilAsync(() => Slack.Sockets.Count == 2 && Slack.Sockets[0].Closed, "reconnected after disconnect");

        Assert.False(Host.Time.HasPendingTimerReport);
        Assert.Equal(2, Slack.ConnectionsOpened);
    }
}
