using System.Net;
using System.Text.Json.Nodes;
using AgentAccessBroker.Approvals;
using AgentAccessBroker.Audit;
using AgentAccessBroker.Connectors.Slack.Tests.Fakes;
using AgentAccessBroker.Testing.Fakes;

namespace AgentAccessBroker.Connectors.Slack.Tests;

public sealed class SlackInteractivityTests : BrokerHostTest
{
    [Fact]
    public async Task Click_Approve_VotesAsMappedApproverAndShowsOutcome()
    {
        Host.Desk.Add("req_a", "tom", "dana", 1, ("U0ALICE", "alice"));
        var ts = await Host.AnnounceAsync(BrokerHost.Notice("req_a"));

        var response = await Host.PostClickAsync(Slack.ClickPayload(ts, "U0ALICE", "approve"));
        await Host.WaitUntilAsync(() => Slack.Message(ts).UpdateCount == 1, "message updated");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var vote = Assert.Single(Host.Desk.VoteCalls);
        Assert.Equal(new InMemoryApprovalDesk.VoteCall("req_a", "alice", true, "slack", "U0ALICE", null), vote);
        var message = Slack.Message(ts);
        Assert.False(message.HasButtons);
        Assert.Contains("*Approved* by `alice` (<@U0ALICE>) <!date^", message.AllText, StringComparison.Ordinal);
        Assert.Contains("Update lifecycle rules on the reports bucket", message.AllText, StringComparison.Ordinal);
        Assert.Empty(Slack.Responses);
    }

    [Fact]
    public async Task Click_DeskSlow_AcknowledgedBeforeTheDeskAnswers()
    {
        Host.Desk.Add("req_b", "tom", "dana", 1, ("U0ALICE", "alice"));
        var ts = await Host.AnnounceAsync(BrokerHost.Notice("req_b"));
        Host.Desk.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var response = await Host.PostClickAsync(Slack.ClickPayload(ts, "U0ALICE", "approve"));
        await Host.WaitUntilAsync(() => Host.Desk.VoteCalls.Count == 1, "vote reached the desk");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(Host.Desk.Results);
        Assert.Equal(0, Slack.Message(ts).UpdateCount);
        Host.Desk.Gate.SetResult();
        await Host.WaitUntilAsync(() => Slack.Message(ts).UpdateCount == 1, "message updated after the desk answered");
    }

    [Fact]
    public async Task Click_UnknownSlackUser_RepliesOnlyToClickerAuditsAndNeverVotes()
    {
        Host.Desk.Add("req_c", "tom", "dana", 1, ("U0ALICE", "alice"));
        var ts = await Host.AnnounceAsync(BrokerHost.Notice("req_c"));

        await Host.PostClickAsync(Slack.ClickPayload(ts, "U0MALLORY", "approve"));
        await Host.WaitUntilAsync(() => Slack.Responses.Count == 1, "ephemeral reply");

        var reply = Slack.Responses.Single().Body;
        Assert.Equal("ephemeral", (string)reply["response_type"]!);
        Assert.Contains("not an approver", (string)reply["text"]!, StringComparison.Ordinal);
        Assert.Empty(Host.Desk.VoteCalls);
        Assert.Equal(0, Slack.Message(ts).UpdateCount);
        var audit = Assert.Single(Host.Audit.Entries);
        Assert.Equal(AuditEventType.ApprovalRejected, audit.Type);
        Assert.Equal("slack:U0MALLORY", audit.Actor);
        Assert.Equal("req_c", audit.RequestId);
        Assert.Equal("U0MALLORY", (string)audit.Data["slack_user"]!);
        Assert.Equal("unknown_slack_user", (string)audit.Data["code"]!);
    }

    [Fact]
    public async Task Click_TaskOwnerApprovesOwnRequest_DeskRejectionShownToClickerOnly()
    {
        Host.Desk.Add("req_d", "tom", "dana", 1, ("U0TOM", "tom"), ("U0ALICE", "alice"));
        var ts = await Host.AnnounceAsync(BrokerHost.Notice("req_d"));

        await Host.PostClickAsync(Slack.ClickPayload(ts, "U0TOM", "approve"));
        await Host.WaitUntilAsync(() => Slack.Responses.Count == 1, "ephemeral reply");

        var text = (string)Slack.Responses.Single().Body["text"]!;
        Assert.Equal("You cannot decide this request: You own this task or its agent, so you cannot approve it.", text);
        Assert.IsType<VoteResult.Rejected>(Assert.Single(Host.Desk.Results));
        Assert.Equal(0, Host.Desk.Decisions);
        Assert.Equal(0, Slack.Message(ts).UpdateCount);
        Assert.True(Slack.Message(ts).HasButtons);
    }

    [Fact]
    public async Task Click_CriticalQuorumTwo_OneApprovalLeavesItPendingSecondApproves()
    {
        Host.Desk.Add("req_e", "tom", "dana", 2, ("U0ALICE", "alice"), ("U0BOB", "bob"));
        var ts = await Host.AnnounceAsync(BrokerHost.Notice("req_e", quorum: 2));

        await Host.PostClickAsync(Slack.ClickPayload(ts, "U0ALICE", "approve"));
        await Host.WaitUntilAsync(() => Slack.Message(ts).UpdateCount == 1, "first update");
        var afterOne = Slack.Message(ts);
        Assert.True(afterOne.HasButtons);
        Assert.Contains("1 of 2 approvals", afterOne.AllText, StringComparison.Ordinal);
        Assert.Equal(0, Host.Desk.Decisions);

        await Host.PostClickAsync(Slack.ClickPayload(ts, "U0BOB", "approve"));
        await Host.WaitUntilAsync(() => Slack.Message(ts).UpdateCount == 2, "second update");

        var final = Slack.Message(ts);
        Assert.False(final.HasButtons);
        Assert.Contains("*Approved* by `alice` (<@U0ALICE>), `bob` (<@U0BOB>)", final.AllText, StringComparison.Ordinal);
        Assert.Contains("Update lifecycle rules on the reports bucket", final.AllText, StringComparison.Ordinal);
        Assert.Equal(1, Host.Desk.Decisions);
    }

    [Fact]
    public async Task Click_DenyAfterOneApproval_DenyWinsAndLaterClicksChangeNothing()
    {
        Host.Desk.Add("req_f", "tom", "dana", 2, ("U0ALICE", "alice"), ("U0BOB", "bob"), ("U0CAROL", "carol"));
        var ts = await Host.AnnounceAsync(BrokerHost.Notice("req_f", quorum: 2));

        await Host.PostClickAsync(Slack.ClickPayload(ts, "U0ALICE", "approve"));
        await Host.WaitUntilAsync(() => Slack.Message(ts).UpdateCount == 1, "first update");
        var stale = Slack.ClickPayload(ts, "U0CAROL", "approve");
        await Host.PostClickAsync(Slack.ClickPayload(ts, "U0BOB", "deny"));
        await Host.WaitUntilAsync(() => Slack.Message(ts).UpdateCount == 2, "deny shown");
        await Host.PostClickAsync(stale);
        await Host.WaitUntilAsync(() => Slack.Responses.Count == 1, "late clicker told");

        var message = Slack.Message(ts);
        Assert.Equal(2, message.UpdateCount);
        Assert.Contains("*Denied* by `bob` (<@U0BOB>)", message.AllText, StringComparison.Ordinal);
        Assert.Equal("This request was already decided: denied. Your click changed nothing.", (string)Slack.Responses.Single().Body["text"]!);
        Assert.Equal(1, Host.Desk.Decisions);
    }

    [Fact]
    public async Task Click_ApproveForShorterTime_PassesShorterDurationToDesk()
    {
        Host.Desk.Add("req_g", "tom", "dana", 1, ("U0ALICE", "alice"));
        var ts = await Host.AnnounceAsync(BrokerHost.Notice("req_g"));

        await Host.PostClickAsync(Slack.ClickPayload(ts, "U0ALICE", "approve_short"));
        await Host.WaitUntilAsync(() => Slack.Message(ts).UpdateCount == 1, "message updated");

        Assert.Equal(TimeSpan.FromMinutes(15), Host.Desk.VoteCalls.Single().ShortenTo);
        Assert.Contains("for *15 min* only", Slack.Message(ts).AllText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Click_SameUserClicksAgainAfterDecision_DeskNoOpAndMessageNotUpdatedAgain()
    {
        Host.Desk.Add("req_h", "tom", "dana", 1, ("U0ALICE", "alice"));
        var ts = await Host.AnnounceAsync(BrokerHost.Notice("req_h"));
        var second = Slack.ClickPayload(ts, "U0ALICE", "approve");

        await Host.PostClickAsync(Slack.ClickPayload(ts, "U0ALICE", "approve"));
        await Host.WaitUntilAsync(() => Slack.Message(ts).UpdateCount == 1, "decision shown");
        await Host.PostClickAsync(second);
        await Host.WaitUntilAsync(() => Slack.Responses.Count == 1, "double click answered");

        Assert.Equal(2, Host.Desk.VoteCalls.Count);
        Assert.Equal(1, Host.Desk.Decisions);
        Assert.Equal(1, Slack.Message(ts).UpdateCount);
        Assert.Contains("already decided: approved", (string)Slack.Responses.Single().Body["text"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Click_AfterTheOutcomeUpdateWasLost_NextClickRepairsTheMessage()
    {
        Host.Desk.Add("req_lost", "tom", "dana", 1, ("U0ALICE", "alice"), ("U0BOB", "bob"));
        var ts = await Host.AnnounceAsync(BrokerHost.Notice("req_lost"));
        Slack.Inject("chat.update", FakeSlack.Fault.NotOk("internal_error"));

        await Host.PostClickAsync(Slack.ClickPayload(ts, "U0ALICE", "approve"));
        await Host.WaitUntilAsync(() => Slack.Calls.Count(c => c.Method == "chat.update") == 1, "first update attempted");
        await Host.PostClickAsync(Slack.ClickPayload(ts, "U0BOB", "approve"));
        await Host.WaitUntilAsync(() => Slack.Responses.Count == 1, "second clicker answered");

        var message = Slack.Message(ts);
        Assert.Equal(1, message.UpdateCount);
        Assert.False(message.HasButtons);
        Assert.Contains("*Approved* by `alice` (<@U0ALICE>)", message.AllText, StringComparison.Ordinal);
        Assert.Contains("Update lifecycle rules on the reports bucket", message.AllText, StringComparison.Ordinal);
        Assert.Equal(1, Host.Desk.Decisions);
    }

    [Fact]
    public async Task Click_RedeliveredIdenticalRequest_ReachesTheDeskOnce()
    {
        Host.Desk.Add("req_i", "tom", "dana", 2, ("U0ALICE", "alice"));
        var ts = await Host.AnnounceAsync(BrokerHost.Notice("req_i", quorum: 2));
        var body = BrokerHost.FormBody(Slack.ClickPayload(ts, "U0ALICE", "approve"));
        var timestamp = Host.Time.GetUtcNow().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);

        var first = await Host.PostRawAsync(body, timestamp, BrokerHost.SigningSecret);
        var replay = await Host.PostRawAsync(body, timestamp, BrokerHost.SigningSecret);
        await Host.PostClickAsync(Slack.ClickPayload(ts, "U0NOBODY", "approve"));
        await Host.WaitUntilAsync(() => Slack.Responses.Count == 1, "the click queued after the replay was handled");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        Assert.Single(Host.Desk.VoteCalls);
        Assert.Equal(["U0ALICE", "U0NOBODY"], Host.Desk.Lookups.Select(l => l.ExternalUserId));
        Assert.Equal(1, Slack.Message(ts).UpdateCount);
    }

    [Fact]
    public async Task Click_TwentyApproversConcurrentlyEachDeliveredTwice_ExactlyOneDecisionAndOneFinalUpdate()
    {
        var approvers = Enumerable.Range(1, 20).Select(i => ($"U0APPR{i:D2}", $"approver-{i:D2}")).ToArray();
        Host.Desk.Add("req_race", "tom", "dana", 1, approvers);
        var ts = await Host.AnnounceAsync(BrokerHost.Notice("req_race"));
        var timestamp = Host.Time.GetUtcNow().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var bodies = approvers.Select(a => BrokerHost.FormBody(Slack.ClickPayload(ts, a.Item1, "approve"))).ToList();

        var responses = await Task.WhenAll(bodies.Concat(bodies).Select(b => Task.Run(() => Host.PostRawAsync(b, timestamp, BrokerHost.SigningSecret))));
        await Host.WaitUntilAsync(() => Slack.Responses.Count == 19 && Slack.Message(ts).UpdateCount >= 1, "all twenty clicks handled");

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(20, Host.Desk.VoteCalls.Count);
        Assert.Equal(20, Host.Desk.VoteCalls.Select(v => v.ApproverId).Distinct().Count());
        Assert.Equal(1, Host.Desk.Decisions);
        Assert.Equal(19, Host.Desk.Results.Count(r => r is VoteResult.AlreadyDecided));
        var message = Slack.Message(ts);
        Assert.Equal(1, message.UpdateCount);
        Assert.Single(Slack.Updates);
        Assert.False(message.HasButtons);
        var winner = Host.Desk.VoteCalls.First().ChannelIdentity;
        Assert.Contains($"*Approved* by `{Host.Desk.VoteCalls.First().ApproverId}` (<@{winner}>)", message.AllText, StringComparison.Ordinal);
        Assert.All(Slack.Responses, r => Assert.StartsWith("This request was already decided: approved.", (string)r.Body["text"]!, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Click_ExpiredRequest_LateClickerToldItExpired()
    {
        Host.Desk.Add("req_j", "tom", "dana", 1, ("U0ALICE", "alice"));
        var notice = BrokerHost.Notice("req_j");
        var reference = await Host.Channel.AnnounceAsync(notice, CancellationToken.None) ?? throw new InvalidOperationException("not announced");
        var ts = reference[(reference.IndexOf('/') + 1)..];
        var late = Slack.ClickPayload(ts, "U0ALICE", "approve");
        await Host.Channel.UpdateAsync(reference, notice, Host.Desk.Expire("req_j"), CancellationToken.None);

        await Host.PostClickAsync(late);
        await Host.WaitUntilAsync(() => Slack.Responses.Count == 1, "late click answered");

        Assert.Equal(1, Slack.Message(ts).UpdateCount);
        Assert.Contains("Expired — denied, no decision in time", Slack.Message(ts).AllText, StringComparison.Ordinal);
        Assert.Equal(
            "This request was already decided: expired — denied, no decision in time. Your click changed nothing.",
            (string)Slack.Responses.Single().Body["text"]!);
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

        var response = await Host.PostClickAsync(payload);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(Host.Desk.Lookups);
    }

    [Fact]
    public async Task Post_SignedButNoPayloadField_BadRequest()
    {
        var timestamp = Host.Time.GetUtcNow().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);

        var response = await Host.PostRawAsync("token=abc&text=hello", timestamp, BrokerHost.SigningSecret);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }
}
