using System.Globalization;
using System.Net;
using AgentAccessBroker.Connectors.Slack.Interactivity;
using AgentAccessBroker.Connectors.Slack.Tests.Fakes;

namespace AgentAccessBroker.Connectors.Slack.Tests;

/// <summary>Every request that Slack did not sign for now is refused with 401 and reaches neither the desk nor Slack.</summary>
public sealed class SlackInteractivitySignatureTests : BrokerHostTest
{
    private string _ts = null!;

    protected override async Task StartedAsync()
    {
        Host.Desk.Add("req_sig", "tom", "dana", 1, ("U0ALICE", "alice"));
        _ts = await Host.AnnounceAsync(BrokerHost.Notice("req_sig"));
    }

    private string Now => Host.Time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    [Fact]
    public async Task Post_ForgedWithAnotherSecret_Unauthorized()
    {
        var response = await Host.PostClickAsync(Slack.ClickPayload(_ts, "U0ALICE", "approve"), signingSecret: "not-the-signing-secret");

        await AssertRejectedAsync(response);
    }

    [Fact]
    public async Task Post_ReplayedAfterFiveMinutes_Unauthorized()
    {
        var body = BrokerHost.FormBody(Slack.ClickPayload(_ts, "U0ALICE", "approve"));
        var signedAt = Now;
        Host.Time.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));

        var response = await Host.PostRawAsync(body, signedAt, BrokerHost.SigningSecret);

        await AssertRejectedAsync(response);
    }

    [Fact]
    public async Task Post_TimestampFromTheFuture_Unauthorized()
    {
        var future = Host.Time.GetUtcNow().AddMinutes(6).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

        var response = await Host.PostClickAsync(Slack.ClickPayload(_ts, "U0ALICE", "approve"), timestamp: future);

        await AssertRejectedAsync(response);
    }

    [Fact]
    public async Task Post_BodyModifiedAfterSigning_Unauthorized()
    {
        var signed = BrokerHost.FormBody(Slack.ClickPayload(_ts, "U0MALLORY", "approve"));
        var tampered = signed.Replace("U0MALLORY", "U0ALICE", StringComparison.Ordinal);
        var signature = SlackSignature.Sign(BrokerHost.SigningSecret, Now, System.Text.Encoding.UTF8.GetBytes(signed));

        var response = await Host.PostRawAsync(tampered, Now, signingSecret: null, signature: signature);

        await AssertRejectedAsync(response);
    }

    [Fact]
    public async Task Post_NoSignatureHeader_Unauthorized()
    {
        var response = await Host.PostRawAsync(BrokerHost.FormBody(Slack.ClickPayload(_ts, "U0ALICE", "approve")), Now, signingSecret: null);

        await AssertRejectedAsync(response);
    }

    [Fact]
    public async Task Post_NoTimestampHeader_Unauthorized()
    {
        var body = BrokerHost.FormBody(Slack.ClickPayload(_ts, "U0ALICE", "approve"));
        var signature = SlackSignature.Sign(BrokerHost.SigningSecret, Now, System.Text.Encoding.UTF8.GetBytes(body));

        var response = await Host.PostRawAsync(body, timestamp: null, signingSecret: null, signature: signature);

        await AssertRejectedAsync(response);
    }

    [Fact]
    public async Task Post_ValidSignatureWithinWindow_Accepted()
    {
        var body = BrokerHost.FormBody(Slack.ClickPayload(_ts, "U0ALICE", "approve"));
        var signedAt = Now;
        Host.Time.Advance(TimeSpan.FromMinutes(4));

        var response = await Host.PostRawAsync(body, signedAt, BrokerHost.SigningSecret);
        await Host.WaitUntilAsync(() => Slack.Message(_ts).UpdateCount == 1, "message updated");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(Host.Desk.VoteCalls);
    }

    private async Task AssertRejectedAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);

        // A genuine click on the same request is queued behind anything the rejected one could have queued (same
        // request, same ordered partition); once it is handled, the rejected request has provably reached nothing.
        await Host.PostClickAsync(Slack.ClickPayload(_ts, "U0NOBODY", "approve"));
        await Host.WaitUntilAsync(() => Slack.Responses.Count == 1, "control click handled");
        Assert.Equal([("req_sig", "U0NOBODY")], Host.Desk.Lookups);
        Assert.Empty(Host.Desk.VoteCalls);
        Assert.Equal(0, Slack.Message(_ts).UpdateCount);
        Assert.Contains(Host.Logs.Lines, l => l.Contains("[7010]", StringComparison.Ordinal));
        Assert.DoesNotContain(BrokerHost.SigningSecret, Host.Logs.AllText, StringComparison.Ordinal);
    }
}
