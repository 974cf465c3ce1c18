using System.Net;
using System.Text.Json.Nodes;
using AgentAccessBroker.Approvals;
using AgentAccessBroker.Audit;
using AgentAccessBroker.Connectors.Slack.Tests.Fakes;

namespace AgentAccessBroker.Connectors.Slack.Tests;

public sealed class SlackInteractivityTests : IAsyncLifetime
{
    private FakeSlack _slack = null!;
    private BrokerHost _host = null!;

    public async Task InitializeAsync()
    {
        _slack = await FakeSlack.StartAsync();
        _host = await BrokerHost.StartAsync(_slack);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _slack.DisposeAsync();
    }

    [Fact]
    public async Task Click_Approve_VotesAsMappedApproverAndShowsOutcome()
    {
        _host.Desk.Add("req_a", "tom", "dana", 1, ("U0ALICE", "alice"));
        var ts = await _host.AnnounceAsync(BrokerHost.Notice("req_a"));

        var response = await _host.PostClickAsync(_slack.ClickPayload(ts, "U0ALICE", "approve"));
        await _host.WaitUntilAsync(() => _slack.Message(ts).UpdateCount == 1, "message updated");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var vote = Assert.Single(_host.Desk.VoteCalls);
        Assert.Equal(new InMemoryApprovalDesk.VoteCall("req_a", "alice", true, "slack", "U0ALICE", null), vote);
        var message = _slack.Message(ts);
        Assert.False(message.HasButtons);
        Assert.Contains("*Approved* by `alice` (<@U0ALICE>) <!date^", message.AllText, StringComparison.Ordinal);
        Assert.Contains("Update lifecycle rules on the reports bucket", message.AllText, StringComparison.Ordinal);
        Assert.Empty(_slack.Responses);
    }

    [Fact]
    public async Task Click_DeskSlow_AcknowledgedBeforeTheDeskAnswers()
    {
        _host.Desk.Add("req_b", "tom", "dana", 1, ("U0ALICE", "alice"));
        var ts = await _host.AnnounceAsync(BrokerHost.Notice("req_b"));
        _host.Desk.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var response = await _host.PostClickAsync(_slack.ClickPayload(ts, "U0ALICE", "approve"));
        await _host.WaitUntilAsync(() => _host.Desk.VoteCalls.Count == 1, "vote reached the desk");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(_host.Desk.Results);
        Assert.Equal(0, _slack.Message(ts).UpdateCount);
        _host.Desk.Gate.SetResult();
        await _host.WaitUntilAsync(() => _slack.Message(ts).UpdateCount == 1, "message updated after the desk answered");
    }

    [Fact]
    public async Task Click_UnknownSlackUser_RepliesOnlyToClickerAuditsAndNeverVotes()
    {
        _host.Desk.Add("req_c", "tom", "dana", 1, ("U0ALICE", "alice"));
        var ts = await _host.AnnounceAsync(BrokerHost.Notice("req_c"));

        await _host.PostClickAsync(_slack.ClickPayload(ts, "U0MALLORY", "approve"));
        await _host.WaitUntilAsync(() => _slack.Responses.Count == 1, "ephemeral reply");

        var reply = _slack.Responses.Single().Body;
        Assert.Equal("ephemeral", (string)reply["response_type"]!);
        Assert.Contains("not an approver", (string)reply["text"]!, StringComparison.Ordinal);
        Assert.Empty(_host.Desk.VoteCalls);
        Assert.Equal(0, _slack.Message(ts).UpdateCount);
        var audit = Assert.Single(_host.Audit.Entries);
        Assert.Equal(AuditEventType.ApprovalRejected, audit.Type);
        Assert.Equal("slack:U0MALLORY", audit.Actor);
        Assert.Equal("req_c", audit.RequestId);
        Assert.Equal("U0MALLORY", (string)audit.Data["slack_user"]!);
        Assert.Equal("unknown_slack_user", (string)audit.Data["code"]!);
    }

    [Fact]
    public async Task Click_TaskOwnerApprovesOwnRequest_DeskRejectionShownToClickerOnly()
    {
        _host.Desk.Add("req_d", "tom", "dana", 1, ("U0TOM", "tom"), ("U0ALICE", "alice"));
        var ts = await _host.AnnounceAsync(BrokerHost.Notice("req_d"));

        await _host.PostClickAsync(_slack.ClickPayload(ts, "U0TOM", "approve"));
        await _host.WaitUntilAsync(() => _slack.Responses.Count == 1, "ephemeral reply");

        var text = (string)_slack.Responses.Single().Body["text"]!;
        Assert.Equal("You cannot decide this request: You own this task or its agent, so you cannot approve it.", text);
        Assert.IsType<VoteResult.Rejected>(Assert.Single(_host.Desk.Results));
        Assert.Equal(0, _host.Desk.Decisions);
        Assert.Equal(0, _slack.Message(ts).UpdateCount);
        Assert.True(_slack.Message(ts).HasButtons);
    }

    [Fact]
    public async Task Click_CriticalQuorumTwo_OneApprovalLeavesItPendingSecondApproves()
    {
        _host.Desk.Add("req_e", "tom", "dana", 2, ("U0ALICE", "alice"), ("U0BOB", "bob"));
        var ts = await _host.AnnounceAsync(BrokerHost.Notice("req_e", quorum: 2));

        await _host.PostClickAsync(_slack.ClickPayload(ts, "U0ALICE", "approve"));
        await _host.WaitUntilAsync(() => _slack.Message(ts).UpdateCount == 1, "first update");
        var afterOne = _slack.Message(ts);
        Assert.True(afterOne.HasButtons);
        Assert.Contains("1 of 2 approvals", afterOne.AllText, StringComparison.Ordinal);
        Assert.Equal(0, _host.Desk.Decisions);

        await _host.PostClickAsync(_slack.ClickPayload(ts, "U0BOB", "approve"));
        await _host.WaitUntilAsync(() => _slack.Message(ts).UpdateCount == 2, "second update");

        var final = _slack.Message(ts);
        Assert.False(final.HasButtons);
        Assert.Contains("*Approved* by `alice` (<@U0ALICE>), `bob` (<@U0BOB>)", final.AllText, StringComparison.Ordinal);
        Assert.Contains("Update lifecycle rules on the reports bucket", final.AllText, StringComparison.Ordinal);
        Assert.Equal(1, _host.Desk.Decisions);
    }

    [Fact]
    public async Task Click_DenyAfterOneApproval_DenyWinsAndLaterClicksChangeNothing()
    {
        _host.Desk.Add("req_f", "tom", "dana", 2, ("U0ALICE", "alice"), ("U0BOB", "bob"), ("U0CAROL", "carol"));
        var ts = await _host.AnnounceAsync(BrokerHost.Notice("req_f", quorum: 2));

        await _host.PostClickAsync(_slack.ClickPayload(ts, "U0ALICE", "approve"));
        await _host.WaitUntilAsync(() => _slack.Message(ts).UpdateCount == 1, "first update");
        var stale = _slack.ClickPayload(ts, "U0CAROL", "approve");
        await _host.PostClickAsync(_slack.ClickPayload(ts, "U0BOB", "deny"));
        await _host.WaitUntilAsync(() => _slack.Message(ts).UpdateCount == 2, "deny shown");
        await _host.PostClickAsync(stale);
        await _host.WaitUntilAsync(() => _slack.Responses.Count == 1, "late clicker told");

        var message = _slack.Message(ts);
        Assert.Equal(2, message.UpdateCount);
        Assert.Contains("*Denied* by `bob` (<@U0BOB>)", message.AllText, StringComparison.Ordinal);
        Assert.Equal("This request was already decided: denied. Your click changed nothing.", (string)_slack.Responses.Single().Body["text"]!);
        Assert.Equal(1, _host.Desk.Decisions);
    }

    [Fact]
    public async Task Click_ApproveForShorterTime_PassesShorterDurationToDesk()
    {
        _host.Desk.Add("req_g", "tom", "dana", 1, ("U0ALICE", "alice"));
        var ts = await _host.AnnounceAsync(BrokerHost.Notice("req_g"));

        await _host.PostClickAsync(_slack.ClickPayload(ts, "U0ALICE", "approve_short"));
        await _host.WaitUntilAsync(() => _slack.Message(ts).UpdateCount == 1, "message updated");

        Assert.Equal(TimeSpan.FromMinutes(15), _host.Desk.VoteCalls.Single().ShortenTo);
        Assert.Contains("for *15 min* only", _slack.Message(ts).AllText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Click_SameUserClicksAgainAfterDecision_DeskNoOpAndMessageNotUpdatedAgain()
    {
        _host.Desk.Add("req_h", "tom", "dana", 1, ("U0ALICE", "alice"));
        var ts = await _host.AnnounceAsync(BrokerHost.Notice("req_h"));
        var second = _slack.ClickPayload(ts, "U0ALICE", "approve");

        await _host.PostClickAsync(_slack.ClickPayload(ts, "U0ALICE", "approve"));
        await _host.WaitUntilAsync(() => _slack.Message(ts).UpdateCount == 1, "decision shown");
        await _host.PostClickAsync(second);
        await _host.WaitUntilAsync(() => _slack.Responses.Count == 1, "double click answered");

        Assert.Equal(2, _host.Desk.VoteCalls.Count);
        Assert.Equal(1, _host.Desk.Decisions);
        Assert.Equal(1, _slack.Message(ts).UpdateCount);
        Assert.Contains("already decided: approved", (string)_slack.Responses.Single().Body["text"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Click_RedeliveredIdenticalRequest_ReachesTheDeskOnce()
    {
        _host.Desk.Add("req_i", "tom", "dana", 2, ("U0ALICE", "alice"));
        var ts = await _host.AnnounceAsync(BrokerHost.Notice("req_i", quorum: 2));
        var body = BrokerHost.FormBody(_slack.ClickPayload(ts, "U0ALICE", "approve"));
        var timestamp = _host.Time.GetUtcNow().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);

        var first = await _host.PostRawAsync(body, timestamp, BrokerHost.SigningSecret);
        var replay = await _host.PostRawAsync(body, timestamp, BrokerHost.SigningSecret);
        await _host.PostClickAsync(_slack.ClickPayload(ts, "U0NOBODY", "approve"));
        await _host.WaitUntilAsync(() => _slack.Responses.Count == 1, "the click queued after the replay was handled");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        Assert.Single(_host.Desk.VoteCalls);
        Assert.Equal(["U0ALICE", "U0NOBODY"], _host.Desk.Lookups.Select(l => l.SlackUserId));
        Assert.Equal(1, _slack.Message(ts).UpdateCount);
    }

    [Fact]
    public async Task Click_TwentyApproversConcurrentlyEachDeliveredTwice_ExactlyOneDecisionAndOneFinalUpdate()
    {
        var approvers = Enumerable.Range(1, 20).Select(i => ($"U0APPR{i:D2}", $"approver-{i:D2}")).ToArray();
        _host.Desk.Add("req_race", "tom", "dana", 1, approvers);
        var ts = await _host.AnnounceAsync(BrokerHost.Notice("req_race"));
        var timestamp = _host.Time.GetUtcNow().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var bodies = approvers.Select(a => BrokerHost.FormBody(_slack.ClickPayload(ts, a.Item1, "approve"))).ToList();

        var responses = await Task.WhenAll(bodies.Concat(bodies).Select(b => Task.Run(() => _host.PostRawAsync(b, timestamp, BrokerHost.SigningSecret))));
        await _host.WaitUntilAsync(() => _slack.Responses.Count == 19 && _slack.Message(ts).UpdateCount >= 1, "all twenty clicks handled");

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(20, _host.Desk.VoteCalls.Count);
        Assert.Equal(20, _host.Desk.VoteCalls.Select(v => v.ApproverId).Distinct().Count());
        Assert.Equal(1, _host.Desk.Decisions);
        Assert.Equal(19, _host.Desk.Results.Count(r => r is VoteResult.AlreadyDecided));
        var message = _slack.Message(ts);
        Assert.Equal(1, message.UpdateCount);
        Assert.Single(_slack.Updates);
        Assert.False(message.HasButtons);
        var winner = _host.Desk.VoteCalls.First().ChannelIdentity;
        Assert.Contains($"*Approved* by `{_host.Desk.VoteCalls.First().ApproverId}` (<@{winner}>)", message.AllText, StringComparison.Ordinal);
        Assert.All(_slack.Responses, r => Assert.StartsWith("This request was already decided: approved.", (string)r.Body["text"]!, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Click_ExpiredRequest_LateClickerToldItExpired()
    {
        _host.Desk.Add("req_j", "tom", "dana", 1, ("U0ALICE", "alice"));
        var notice = BrokerHost.Notice("req_j");
        var reference = await _host.Channel.AnnounceAsync(notice, CancellationToken.None) ?? throw new InvalidOperationException("not announced");
        var ts = reference[(reference.IndexOf('/') + 1)..];
        var late = _slack.ClickPayload(ts, "U0ALICE", "approve");
        await _host.Channel.UpdateAsync(reference, notice, _host.Desk.Expire("req_j"), CancellationToken.None);

        await _host.PostClickAsync(late);
        await _host.WaitUntilAsync(() => _slack.Responses.Count == 1, "late click answered");

        Assert.Equal(1, _slack.Message(ts).UpdateCount);
        Assert.Contains("Expired — denied, no decision in time", _slack.Message(ts).AllText, StringComparison.Ordinal);
        Assert.Equal(
            "This request was already decided: expired — denied, no decision in time. Your click changed nothing.",
            (string)_slack.Responses.Single().Body["text"]!);
    }

    [Fact]
    public async Task Post_QueueFull_AnswersServiceUnavailableInsteadOfWaiting()
    {
        await using var slack = await FakeSlack.StartAsync();
        await using var host = await BrokerHost.StartAsync(slack, o =>
        {
            o.WorkerCount = 1;
            o.QueueCapacity = 1;
        });
        host.Desk.Add("req_busy", "tom", "dana", 3, ("U0ALICE", "alice"), ("U0BOB", "bob"), ("U0CAROL", "carol"));
        var ts = await host.AnnounceAsync(BrokerHost.Notice("req_busy", quorum: 3));
        host.Desk.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var first = await host.PostClickAsync(slack.ClickPayload(ts, "U0ALICE", "approve"));
        await host.WaitUntilAsync(() => host.Desk.VoteCalls.Count == 1, "worker busy with the first click");
        var second = await host.PostClickAsync(slack.ClickPayload(ts, "U0BOB", "approve"));
        var third = await host.PostClickAsync(slack.ClickPayload(ts, "U0CAROL", "approve"));
        host.Desk.Gate.SetResult();
        await host.WaitUntilAsync(() => slack.Message(ts).UpdateCount == 2, "queued clicks handled");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, third.StatusCode);
        Assert.Equal(["alice", "bob"], host.Desk.VoteCalls.Select(v => v.ApproverId));
    }

    [Fact]
    public async Task Post_NotAnApprovalButton_AcknowledgedAndIgnored()
    {
        var payload = new JsonObject { ["type"] = "view_submission", ["user"] = new JsonObject { ["id"] = "U0ALICE" } };

        var response = await _host.PostClickAsync(payload);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(_host.Desk.Lookups);
    }

    [Fact]
    public async Task Post_SignedButNoPayloadField_BadRequest()
    {
        var timestamp = _host.Time.GetUtcNow().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);

        var response = await _host.PostRawAsync("token=abc&text=hello", timestamp, BrokerHost.SigningSecret);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }
}
