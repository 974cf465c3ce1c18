using System.Text.Json.Nodes;
using AgentAccessBroker.Approvals;
using AgentAccessBroker.Connectors.Teams.Api;
using AgentAccessBroker.Connectors.Teams.Tests.Fakes;

namespace AgentAccessBroker.Connectors.Teams.Tests;

/// <summary>Bot mode end to end against the fake Bot Connector: announce, click, answer with the card, update on outcome and expiry.</summary>
public sealed class TeamsBotFlowTests : IAsyncLifetime
{
    private FakeTeamsCloud _cloud = null!;
    private TeamsHost _host = null!;

    public async Task InitializeAsync()
    {
        _cloud = await FakeTeamsCloud.StartAsync();
        _host = await TeamsHost.StartAsync(_cloud);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _cloud.DisposeAsync();
    }

    [Fact]
    public async Task AnnounceAsync_BotMode_PostsCardWithThreeExecuteButtons()
    {
        var reference = await _host.Channel.AnnounceAsync(Notices.Sample(), default);

        Assert.True(ConversationMessageRef.TryParse(reference, out var message));
        Assert.Equal(FakeTeamsCloud.Conversation, message.ConversationId);
        var card = Card(_cloud.Activities[message.ActivityId]);
        Assert.Equal("1.5", card["version"]!.GetValue<string>());
        var actions = card["actions"]!.AsArray();
        Assert.Equal(["approve", "approve_short", "deny"], actions.Select(a => a!["verb"]!.GetValue<string>()));
        Assert.All(actions, a => Assert.Equal("Action.Execute", a!["type"]!.GetValue<string>()));
        Assert.Equal("Approve for 15 min", actions[1]!["title"]!.GetValue<string>());
        var call = _cloud.Calls.Single(c => c.Method == "POST" && c.Path.StartsWith("/teams/", StringComparison.Ordinal));
        Assert.StartsWith("Bearer eyFakeAppToken.", call.Authorization, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invoke_ApproverClicksApprove_DeskVotesWithAadObjectIdAndCardShowsOutcome()
    {
        _host.Desk.Add("req-42", "tina", "owen", 1, (TeamsHost.Alice, "alice"), (TeamsHost.Bob, "bob"));
        await _host.Channel.AnnounceAsync(Notices.Sample(), default);

        var (status, body) = await _host.PostAsync(TeamsHost.Invoke(_cloud, "req-42", "approve_short", TeamsHost.Alice), _cloud.BotToken());

        Assert.Equal(200, status);
        var vote = Assert.Single(_host.Desk.VoteCalls);
        Assert.Equal(("alice", true, "teams", TeamsHost.Alice, TimeSpan.FromMinutes(15)), (vote.ApproverId, vote.Approve, vote.Channel, vote.ChannelIdentity, vote.ShortenTo));
        var card = body!["value"]!.AsObject();
        Assert.Null(card["actions"]);
        var text = card.ToJsonString();
        Assert.Contains("Approved for 15 min only", text, StringComparison.Ordinal);
        Assert.Contains("Approved by alice", text, StringComparison.Ordinal);
        Assert.Contains("Rotate the reporting database credentials", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invoke_CardValueNamesAnotherUser_IdentityStillFromActivity()
    {
        _host.Desk.Add("req-42", "tina", "owen", 1, (TeamsHost.Alice, "alice"), (TeamsHost.Bob, "bob"));
        var activity = TeamsHost.Invoke(_cloud, "req-42", "approve", TeamsHost.Stranger);
        activity["value"]!["action"]!["data"]!["aadObjectId"] = TeamsHost.Alice;
        activity["value"]!["action"]!["data"]!["approverId"] = "alice";

        var (status, body) = await _host.PostAsync(activity, _cloud.BotToken());

        Assert.Equal(200, status);
        Assert.Empty(_host.Desk.VoteCalls);
        Assert.Equal("application/vnd.microsoft.activity.message", body!["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task Invoke_UnknownTeamsUser_NothingDecidedAndAudited()
    {
        _host.Desk.Add("req-42", "tina", "owen", 1, (TeamsHost.Alice, "alice"), (TeamsHost.Bob, "bob"));

        var (status, body) = await _host.PostAsync(TeamsHost.Invoke(_cloud, "req-42", "approve", TeamsHost.Stranger), _cloud.BotToken());

        Assert.Equal(200, status);
        Assert.Contains("not an approver", body!["value"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty(_host.Desk.VoteCalls);
        var entry = Assert.Single(_host.Audit.Entries);
        Assert.Equal("unknown_teams_user", entry.Data["code"]!.GetValue<string>());
        Assert.Equal("teams:" + TeamsHost.Stranger, entry.Actor);
    }

    [Fact]
    public async Task Invoke_AgentOwnerClicks_DecidesNothing()
    {
        _host.Desk.Add("req-42", "tina", "owen", 1, (TeamsHost.Alice, "alice"), (TeamsHost.Bob, "bob"), (TeamsHost.Owner, "owen"));

        var (_, body) = await _host.PostAsync(TeamsHost.Invoke(_cloud, "req-42", "approve", TeamsHost.Owner), _cloud.BotToken());

        Assert.Contains("cannot decide", body!["value"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(0, _host.Desk.Decisions);
    }

    [Fact]
    public async Task Invoke_TwentyConcurrentApprovals_ExactlyOneDecision()
    {
        _host.Desk.Add("req-42", "tina", "owen", 1, (TeamsHost.Alice, "alice"), (TeamsHost.Bob, "bob"));
        await _host.Channel.AnnounceAsync(Notices.Sample(), default);

        var clicks = Enumerable.Range(0, 20)
            .Select(i => _host.PostAsync(TeamsHost.Invoke(_cloud, "req-42", "approve", i % 2 == 0 ? TeamsHost.Alice : TeamsHost.Bob), _cloud.BotToken()));
        var replies = await Task.WhenAll(clicks);

        Assert.All(replies, r => Assert.Equal(200, r.Status));
        Assert.Equal(1, _host.Desk.Decisions);
        Assert.Equal(20, _host.Desk.VoteCalls.Count);
    }

    [Fact]
    public async Task UpdateAsync_Expired_CardReplacedWithoutButtons_AlsoFromANewInstance()
    {
        var notice = Notices.Sample();
        var reference = await _host.Channel.AnnounceAsync(notice, default);
        await _host.DisposeAsync();

        // A restarted broker: nothing in memory but the stored announcement reference.
        _host = await TeamsHost.StartAsync(_cloud);
        var expired = new ApprovalStatus([], ApprovalOutcome.Expired, notice.ExpiresAt);
        await _host.Channel.UpdateAsync(reference!, notice, expired, default);
        await _host.Channel.UpdateAsync(reference!, notice, expired, default);

        var (activityId, activity) = Assert.Single(_cloud.Updates);
        Assert.True(ConversationMessageRef.TryParse(reference, out var message));
        Assert.Equal(message.ActivityId, activityId);
        var card = Card(activity);
        Assert.Null(card["actions"]);
        Assert.Contains("Expired", card.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostAsync_ThrottledThenServerError_RetriesAndOneTokenServesAll()
    {
        _cloud.Fail("connector", 429, "0");
        _cloud.Fail("connector", 503);

        await _host.Channel.AnnounceAsync(Notices.Sample("req-a"), default);
        await _host.Channel.AnnounceAsync(Notices.Sample("req-b"), default);

        Assert.Equal(2, _cloud.Activities.Count);
        Assert.Equal(1, _cloud.TokenRequests);
    }

    [Fact]
    public async Task AnnounceAsync_WrongAppPassword_FailsWithoutSecretInErrorOrLogs()
    {
        await using var host = await TeamsHost.StartAsync(_cloud, tweak: o => o.AppPassword = "Wrong~SecretValue.NeverLogged");

        var error = await Assert.ThrowsAsync<TeamsApiException>(() => host.Channel.AnnounceAsync(Notices.Sample(), default));

        Assert.Equal("invalid_client", error.Code);
        Assert.DoesNotContain("NeverLogged", error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("NeverLogged", host.Logs.AllText, StringComparison.Ordinal);
        Assert.Empty(_cloud.Activities);
    }

    [Fact]
    public async Task Flow_Everything_NoSecretOrTokenInLogsOrAudit()
    {
        _host.Desk.Add("req-42", "tina", "owen", 1, (TeamsHost.Alice, "alice"), (TeamsHost.Bob, "bob"));
        var reference = await _host.Channel.AnnounceAsync(Notices.Sample(), default);
        var botToken = _cloud.BotToken();
        await _host.PostAsync(TeamsHost.Invoke(_cloud, "req-42", "approve", TeamsHost.Stranger), botToken);
        await _host.PostAsync(TeamsHost.Invoke(_cloud, "req-42", "deny", TeamsHost.Alice), botToken);
        await _host.PostAsync(TeamsHost.Invoke(_cloud, "req-42", "deny", TeamsHost.Alice), "forged");
        await _host.Channel.UpdateAsync(reference!, Notices.Sample(), new ApprovalStatus([], ApprovalOutcome.Denied, DateTimeOffset.UtcNow), default);

        var everything = _host.Logs.AllText + string.Join("\n", _host.Audit.Entries.Select(e => e.Data.ToJsonString() + e.Actor)) + reference;
        Assert.NotEmpty(_host.Logs.Lines);
        Assert.DoesNotContain(FakeTeamsCloud.AppPassword, everything, StringComparison.Ordinal);
        Assert.DoesNotContain("AppTokenValueNeverLogged", everything, StringComparison.Ordinal);
        Assert.DoesNotContain(botToken, everything, StringComparison.Ordinal);
        Assert.DoesNotContain(botToken.Split('.')[2], everything, StringComparison.Ordinal);
        var options = new TeamsConnectorOptions { AppPassword = FakeTeamsCloud.AppPassword, WorkflowsWebhookUrl = _cloud.WorkflowsUrl.ToString() }.ToString();
        Assert.DoesNotContain(FakeTeamsCloud.AppPassword, options, StringComparison.Ordinal);
        Assert.DoesNotContain(FakeTeamsCloud.WorkflowsSig, options, StringComparison.Ordinal);
    }

    private static JsonObject Card(JsonObject activity) => activity["attachments"]![0]!["content"]!.AsObject();
}
