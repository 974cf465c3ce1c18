using AgentAccessBroker.Approvals;
using AgentAccessBroker.Connectors.Slack.Tests.Fakes;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace AgentAccessBroker.Connectors.Slack.Tests;

/// <summary>
/// Against the real Slack: runs only with AAB_LIVE=1, AAB_SLACK_BOT_TOKEN and AAB_SLACK_LIVE_CHANNEL (a channel id the
/// bot may post to). Posts one approval message and marks it expired.
/// </summary>
public sealed class SlackLiveTests(ITestOutputHelper output)
{
    [SkippableFact]
    public async Task AnnounceAndExpire_RealSlack_PostsAndUpdatesTheMessage()
    {
        // Reported as skipped, never as passed, when the live environment is not configured.
        Skip.If(Environment.GetEnvironmentVariable("AAB_LIVE") != "1", "set AAB_LIVE=1 (with AAB_SLACK_BOT_TOKEN and AAB_SLACK_LIVE_CHANNEL) to run against slack.com");

        var channelId = Environment.GetEnvironmentVariable("AAB_SLACK_LIVE_CHANNEL");
        var token = Environment.GetEnvironmentVariable("AAB_SLACK_BOT_TOKEN");
        Assert.False(string.IsNullOrEmpty(channelId), "AAB_SLACK_LIVE_CHANNEL must be set when AAB_LIVE=1.");
        Assert.False(string.IsNullOrEmpty(token), "AAB_SLACK_BOT_TOKEN must be set when AAB_LIVE=1.");
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSlackApprovals(o => o.BotToken = token);
        await using var provider = services.BuildServiceProvider();
        var channel = provider.GetServices<IApprovalChannel>().Single();
        var notice = BrokerHost.Notice("req_live_" + Guid.NewGuid().ToString("N")[..8], channel: channelId);

        var reference = await channel.AnnounceAsync(notice, CancellationToken.None);
        Assert.NotNull(reference);
        await channel.UpdateAsync(reference!, notice, new ApprovalStatus([], ApprovalOutcome.Expired, DateTimeOffset.UtcNow), CancellationToken.None);

        output.WriteLine("posted and expired " + reference);
    }
}
