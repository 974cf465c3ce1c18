using AgentAccessBroker.Approvals;
using AgentAccessBroker.Connectors.Teams.Api;
using AgentAccessBroker.Connectors.Teams.Tests.Fakes;

namespace AgentAccessBroker.Connectors.Teams.Tests;

/// <summary>Workflows mode: the webhook receives the card linking to the console, then one follow-up with the outcome.</summary>
public sealed class TeamsWorkflowsTests : IAsyncLifetime
{
    private FakeTeamsCloud _cloud = null!;
    private TeamsHost _host = null!;

    public async Task InitializeAsync()
    {
        _cloud = await FakeTeamsCloud.StartAsync();
        _host = await TeamsHost.StartAsync(_cloud, TeamsConnectionMode.Workflows);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _cloud.DisposeAsync();
    }

    [Fact]
    public async Task AnnounceAsync_Workflows_CardLinksToConsoleApprovalPage()
    {
        var reference = await _host.Channel.AnnounceAsync(Notices.Sample("req/42 x"), default);

        Assert.Equal("workflows req%2F42%20x", reference);
        var message = Assert.Single(_cloud.WorkflowsMessages);
        var card = message["attachments"]![0]!["content"]!.AsObject();
        var action = Assert.Single(card["actions"]!.AsArray());
        Assert.Equal("Action.OpenUrl", action!["type"]!.GetValue<string>());
        Assert.Equal("Review in AgentAccessBroker", action["title"]!.GetValue<string>());
        Assert.Equal("https://broker.example/approvals?request=req%2F42%20x", action["url"]!.GetValue<string>());
        Assert.Contains("Need to fix the nightly report job", card.ToJsonString(), StringComparison.Ordinal);
        Assert.Empty(_cloud.Activities);
        Assert.Equal(0, _cloud.TokenRequests);
    }

    [Fact]
    public async Task UpdateAsync_Outcome_OneFollowUpCard()
    {
        var notice = Notices.Sample();
        var reference = await _host.Channel.AnnounceAsync(notice, default);
        var vote = new ApprovalVote(notice.RequestId, "alice", true, "console", null, null, null, DateTimeOffset.UtcNow);

        await _host.Channel.UpdateAsync(reference!, notice, new ApprovalStatus([vote], null, null), default);
        await _host.Channel.UpdateAsync(reference!, notice, new ApprovalStatus([vote], ApprovalOutcome.Approved, DateTimeOffset.UtcNow), default);
        await _host.Channel.UpdateAsync(reference!, notice, new ApprovalStatus([vote], ApprovalOutcome.Approved, DateTimeOffset.UtcNow), default);

        Assert.Equal(2, _cloud.WorkflowsMessages.Count);
        var followUp = _cloud.WorkflowsMessages.Last().ToJsonString();
        Assert.Contains("Access request approved", followUp, StringComparison.Ordinal);
        Assert.Contains("Approved by alice", followUp, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UpdateAsync_Expired_FollowUpSaysExpired()
    {
        var notice = Notices.Sample();
        var reference = await _host.Channel.AnnounceAsync(notice, default);

        await _host.Channel.UpdateAsync(reference!, notice, new ApprovalStatus([], ApprovalOutcome.Expired, notice.ExpiresAt), default);

        Assert.Contains("Expired: nobody decided in time", _cloud.WorkflowsMessages.Last().ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnnounceAsync_WebhookRefuses_ErrorAndLogsNeverShowTheUrl()
    {
        _cloud.Fail("workflows", 500);
        _cloud.Fail("workflows", 500);
        _cloud.Fail("workflows", 500);
        _cloud.Fail("workflows", 500);

        var error = await Assert.ThrowsAsync<TeamsApiException>(() => _host.Channel.AnnounceAsync(Notices.Sample(), default));

        Assert.Equal(500, error.StatusCode);
        Assert.DoesNotContain(FakeTeamsCloud.WorkflowsSig, error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(FakeTeamsCloud.WorkflowsSig, _host.Logs.AllText, StringComparison.Ordinal);
        Assert.DoesNotContain("/workflows/", _host.Logs.AllText, StringComparison.Ordinal);
        Assert.Contains(_host.Logs.Lines, l => l.Contains("Retrying Teams workflows post", StringComparison.Ordinal));
    }
}
