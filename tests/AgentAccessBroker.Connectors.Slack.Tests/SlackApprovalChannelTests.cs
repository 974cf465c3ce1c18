using AgentAccessBroker.Approvals;
using AgentAccessBroker.Connectors.Slack.Tests.Fakes;
using Microsoft.Extensions.DependencyInjection;

namespace AgentAccessBroker.Connectors.Slack.Tests;

public sealed class SlackApprovalChannelTests : IAsyncLifetime
{
    private static readonly DateTimeOffset At = new(2026, 11, 21, 9, 31, 0, TimeSpan.Zero);
    private readonly ObservableTimeProvider _time = new();
    private FakeSlack _slack = null!;
    private ServiceProvider _services = null!;

    public async Task InitializeAsync()
    {
        _slack = await FakeSlack.StartAsync();
        _services = TestServices.Build(_slack, _time, configure: o => o.DefaultChannel = FakeSlack.DefaultChannel);
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _slack.DisposeAsync();
    }

    private IApprovalChannel Channel => _services.GetServices<IApprovalChannel>().Single();

    [Fact]
    public void Name_IsSlack() => Assert.Equal("slack", Channel.Name);

    [Fact]
    public async Task AnnounceAsync_ChannelHint_PostsThereAndReturnsChannelAndTs()
    {
        var reference = await Channel.AnnounceAsync(BrokerHost.Notice("req_1"), CancellationToken.None);

        var message = Assert.Single(_slack.Messages);
        Assert.Equal(FakeSlack.ApproverChannel, message.Channel);
        Assert.Equal(FakeSlack.ApproverChannel + "/" + message.Ts, reference);
        Assert.True(message.HasButtons);
    }

    [Fact]
    public async Task AnnounceAsync_NoHint_UsesDefaultChannel()
    {
        await Channel.AnnounceAsync(BrokerHost.Notice("req_2", channel: null), CancellationToken.None);

        Assert.Equal(FakeSlack.DefaultChannel, Assert.Single(_slack.Messages).Channel);
    }

    [Fact]
    public async Task AnnounceAsync_NoHintAndNoDefault_ReturnsNullAndPostsNothing()
    {
        await using var services = TestServices.Build(_slack, _time);
        var channel = services.GetServices<IApprovalChannel>().Single();

        var reference = await channel.AnnounceAsync(BrokerHost.Notice("req_3", channel: null), CancellationToken.None);

        Assert.Null(reference);
        Assert.Empty(_slack.Calls);
    }

    [Fact]
    public async Task AnnounceAsync_HugeHostileNotice_AcceptedWithinBlockKitLimits()
    {
        var notice = BrokerHost.Notice("req_4") with
        {
            Purpose = string.Concat(Enumerable.Repeat("<!channel> & `tick` ", 5000)),
            TaskDescription = new string('d', 100_000),
            Resources = Enumerable.Range(0, 300).Select(i => new string('<', 300) + i).ToList(),
            TopReasons = Enumerable.Range(0, 50).Select(i => new string('>', 2000)).ToList(),
            ApproverGroup = new string('g', 3000),
        };

        var reference = await Channel.AnnounceAsync(notice, CancellationToken.None);

        Assert.NotNull(reference);
        Assert.Single(_slack.Messages);
    }

    [Fact]
    public async Task UpdateAsync_Expired_SaysExpiredDeniedNoDecisionInTimeAndRemovesButtons()
    {
        var notice = BrokerHost.Notice("req_5");
        var reference = await Channel.AnnounceAsync(notice, CancellationToken.None);

        await Channel.UpdateAsync(reference!, notice, new ApprovalStatus([], ApprovalOutcome.Expired, At), CancellationToken.None);

        var message = Assert.Single(_slack.Messages);
        Assert.Equal(1, message.UpdateCount);
        Assert.False(message.HasButtons);
        Assert.Contains("Expired — denied, no decision in time", message.AllText, StringComparison.Ordinal);
        Assert.Contains("Update lifecycle rules on the reports bucket", message.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UpdateAsync_AfterFinalOutcome_NeverChangesTheMessageAgain()
    {
        var notice = BrokerHost.Notice("req_6", quorum: 2);
        var reference = await Channel.AnnounceAsync(notice, CancellationToken.None);
        var alice = new ApprovalVote("req_6", "alice", true, "slack", "U0ALICE", null, null, At);
        var bob = alice with { ApproverId = "bob", ChannelIdentity = "U0BOB" };

        await Channel.UpdateAsync(reference!, notice, new ApprovalStatus([alice], null, null), CancellationToken.None);
        await Channel.UpdateAsync(reference!, notice, new ApprovalStatus([alice, bob], ApprovalOutcome.Approved, At), CancellationToken.None);
        await Channel.UpdateAsync(reference!, notice, new ApprovalStatus([alice], null, null), CancellationToken.None);
        await Channel.UpdateAsync(reference!, notice, new ApprovalStatus([alice, bob], ApprovalOutcome.Approved, At), CancellationToken.None);

        var message = Assert.Single(_slack.Messages);
        Assert.Equal(2, message.UpdateCount);
        Assert.False(message.HasButtons);
        Assert.Contains("*Approved* by `alice` (<@U0ALICE>), `bob` (<@U0BOB>)", message.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UpdateAsync_VoteFromCli_ShowsChannelInsteadOfMention()
    {
        var notice = BrokerHost.Notice("req_7");
        var reference = await Channel.AnnounceAsync(notice, CancellationToken.None);
        var vote = new ApprovalVote("req_7", "carol", false, "cli", null, null, null, At);

        await Channel.UpdateAsync(reference!, notice, new ApprovalStatus([vote], ApprovalOutcome.Denied, At), CancellationToken.None);

        Assert.Contains("*Denied* by `carol` via cli", _slack.Messages.Single().AllText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UpdateAsync_NotASlackReference_Throws()
    {
        await Assert.ThrowsAsync<ArgumentException>(() =>
            Channel.UpdateAsync("teams-thread-1", BrokerHost.Notice("req_8"), new ApprovalStatus([], null, null), CancellationToken.None));
    }
}
