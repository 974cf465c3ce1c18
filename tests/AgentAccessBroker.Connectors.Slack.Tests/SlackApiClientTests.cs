using System.Text.Json.Nodes;
using AgentAccessBroker.Connectors.Slack.Api;
using AgentAccessBroker.Connectors.Slack.Tests.Fakes;
using Microsoft.Extensions.DependencyInjection;

namespace AgentAccessBroker.Connectors.Slack.Tests;

public sealed class SlackApiClientTests : IAsyncLifetime
{
    private static readonly SlackMessage Hello = new("hello", [new JsonObject
    {
        ["type"] = "section",
        ["text"] = new JsonObject { ["type"] = "mrkdwn", ["text"] = "hello" },
    }]);

    private readonly ObservableTimeProvider _time = new();
    private readonly RecordingLoggerProvider _logs = new();
    private FakeSlack _slack = null!;
    private ServiceProvider _services = null!;

    public async Task InitializeAsync()
    {
        _slack = await FakeSlack.StartAsync();
        _services = TestServices.Build(_slack, _time, _logs);
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _slack.DisposeAsync();
    }

    private SlackApiClient Client => _services.GetRequiredService<SlackApiClient>();

    [Fact]
    public async Task PostMessageAsync_Ok_SendsBearerBotTokenAndJsonAndReturnsChannelAndTs()
    {
        var posted = await Client.PostMessageAsync(FakeSlack.ApproverChannel, Hello, CancellationToken.None);

        var call = Assert.Single(_slack.Calls);
        Assert.Equal("chat.postMessage", call.Method);
        Assert.Equal("Bearer " + FakeSlack.BotToken, call.Authorization);
        Assert.StartsWith("application/json", call.ContentType, StringComparison.Ordinal);
        Assert.Equal(FakeSlack.ApproverChannel, posted.Channel);
        Assert.Equal(_slack.Messages.Single().Ts, posted.Ts);
    }

    [Fact]
    public async Task PostMessageAsync_RateLimited_WaitsExactlyRetryAfterThenSucceeds()
    {
        _slack.Inject("chat.postMessage", FakeSlack.Fault.RateLimited(retryAfterSeconds: 7));

        var posting = Client.PostMessageAsync(FakeSlack.ApproverChannel, Hello, CancellationToken.None);
        var wait = await _time.NextTimerAsync();

        Assert.Equal(TimeSpan.FromSeconds(7), wait);
        Assert.Single(_slack.Calls);
        Assert.False(posting.IsCompleted);
        _time.Advance(wait);
        var posted = await posting;
        Assert.Equal(2, _slack.Calls.Count);
        Assert.Equal(FakeSlack.ApproverChannel, posted.Channel);
    }

    [Fact]
    public async Task PostMessageAsync_ServerErrors_RetriesWithGrowingBackoffThenSucceeds()
    {
        _slack.Inject("chat.postMessage", FakeSlack.Fault.ServerError(503));
        _slack.Inject("chat.postMessage", FakeSlack.Fault.ServerError(500));

        var posting = Client.PostMessageAsync(FakeSlack.ApproverChannel, Hello, CancellationToken.None);
        var first = await _time.NextTimerAsync();
        _time.Advance(first);
        var second = await _time.NextTimerAsync();
        _time.Advance(second);
        await posting;

        Assert.Equal(3, _slack.Calls.Count);
        Assert.InRange(first, TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(2));
        Assert.InRange(second, TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(4));
        Assert.Single(_slack.Messages);
    }

    [Fact]
    public async Task PostMessageAsync_ServerErrorsBeyondRetries_ThrowsHttpCode()
    {
        for (var i = 0; i < 4; i++)
        {
            _slack.Inject("chat.postMessage", FakeSlack.Fault.ServerError(502));
        }

        var posting = Client.PostMessageAsync(FakeSlack.ApproverChannel, Hello, CancellationToken.None);
        for (var i = 0; i < 3; i++)
        {
            _time.Advance(await _time.NextTimerAsync());
        }

        var error = await Assert.ThrowsAsync<SlackApiException>(() => posting);
        Assert.Equal("http_502", error.Error);
        Assert.Equal(4, _slack.Calls.Count);
    }

    [Fact]
    public async Task PostMessageAsync_RetryAfterBeyondCap_FailsRatelimitedWithoutWaiting()
    {
        _slack.Inject("chat.postMessage", FakeSlack.Fault.RateLimited(retryAfterSeconds: 120));

        var error = await Assert.ThrowsAsync<SlackApiException>(() => Client.PostMessageAsync(FakeSlack.ApproverChannel, Hello, CancellationToken.None));

        Assert.Equal("ratelimited", error.Error);
        Assert.Single(_slack.Calls);
        Assert.False(_time.HasPendingTimerReport);
    }

    [Fact]
    public async Task PostMessageAsync_OkFalse_ThrowsTypedErrorNamingCodeNotToken()
    {
        _slack.Inject("chat.postMessage", FakeSlack.Fault.NotOk("channel_not_found"));

        var error = await Assert.ThrowsAsync<SlackApiException>(() => Client.PostMessageAsync(FakeSlack.ApproverChannel, Hello, CancellationToken.None));

        Assert.Equal("channel_not_found", error.Error);
        Assert.Equal("chat.postMessage", error.Method);
        Assert.Equal("Slack chat.postMessage failed: channel_not_found.", error.Message);
        Assert.DoesNotContain(FakeSlack.BotToken, error.ToString(), StringComparison.Ordinal);
        Assert.Single(_slack.Calls);
    }

    [Fact]
    public async Task PostMessageAsync_ChannelUnknownToSlack_ThrowsChannelNotFound()
    {
        var error = await Assert.ThrowsAsync<SlackApiException>(() => Client.PostMessageAsync("C0NOWHERE", Hello, CancellationToken.None));

        Assert.Equal("channel_not_found", error.Error);
    }

    [Fact]
    public async Task PostMessageAsync_WrongToken_ThrowsInvalidAuthWithoutEchoingToken()
    {
        await using var services = TestServices.Build(_slack, _time, _logs, o =>
        {
            o.BotToken = "xoxb-wrong-token-value-5566";
        });

        var error = await Assert.ThrowsAsync<SlackApiException>(
            () => services.GetRequiredService<SlackApiClient>().PostMessageAsync(FakeSlack.ApproverChannel, Hello, CancellationToken.None));

        Assert.Equal("invalid_auth", error.Error);
        Assert.DoesNotContain("5566", error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("5566", _logs.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UpdateMessageAsync_UnknownMessage_ThrowsMessageNotFound()
    {
        var error = await Assert.ThrowsAsync<SlackApiException>(
            () => Client.UpdateMessageAsync(new SlackMessageRef(FakeSlack.ApproverChannel, "1.000001"), Hello, CancellationToken.None));

        Assert.Equal("message_not_found", error.Error);
    }

    [Fact]
    public async Task RespondEphemeralAsync_ResponseUrl_PostsEphemeralWithoutAnyToken()
    {
        var url = _slack.NewResponseUrl();

        await Client.RespondEphemeralAsync(url, "only you can see this", CancellationToken.None);

        var (path, body, authorization) = Assert.Single(_slack.Responses);
        Assert.Equal(url.AbsolutePath, path);
        Assert.Equal("ephemeral", (string)body["response_type"]!);
        Assert.False((bool)body["replace_original"]!);
        Assert.Equal("only you can see this", (string)body["text"]!);
        Assert.Empty(authorization!);
        Assert.Empty(_slack.Calls);
    }

    [Fact]
    public async Task RespondEphemeralAsync_UsedMoreThanFiveTimes_ThrowsSlackCode()
    {
        var url = _slack.NewResponseUrl();
        for (var i = 0; i < 5; i++)
        {
            await Client.RespondEphemeralAsync(url, "reply " + i, CancellationToken.None);
        }

        var error = await Assert.ThrowsAsync<SlackApiException>(() => Client.RespondEphemeralAsync(url, "sixth", CancellationToken.None));

        Assert.Equal("used_url", error.Error);
        Assert.DoesNotContain(url.AbsolutePath, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenConnectionAsync_AppToken_ReturnsWebSocketUrl()
    {
        var url = await Client.OpenConnectionAsync(CancellationToken.None);

        Assert.Equal("ws", url.Scheme);
        var call = Assert.Single(_slack.Calls);
        Assert.Equal("Bearer " + FakeSlack.AppToken, call.Authorization);
        Assert.StartsWith("application/x-www-form-urlencoded", call.ContentType, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenConnectionAsync_BotTokenInsteadOfAppToken_ThrowsNotAllowedTokenType()
    {
        await using var services = TestServices.Build(_slack, _time, _logs, o => o.AppToken = FakeSlack.BotToken);

        var error = await Assert.ThrowsAsync<SlackApiException>(
            () => services.GetRequiredService<SlackApiClient>().OpenConnectionAsync(CancellationToken.None));

        Assert.Equal("not_allowed_token_type", error.Error);
    }
}
