using System.Globalization;
using System.Net;
using AgentAccessBroker.Connectors.Slack.Interactivity;
using AgentAccessBroker.Connectors.Slack.Tests.Fakes;

namespace AgentAccessBroker.Connectors.Slack.Tests;

/// <summary>Every request that Slack did not sign for now is refused with 401 and reaches neither the desk nor Slack.</summary>
public sealed class SlackInteractivitySignatureTests : IAsyncLifetime
{
    private FakeSlack _slack = null!;
    private BrokerHost _host = null!;
    private string _ts = null!;

    public async Task InitializeAsync()
    {
        _slack = await FakeSlack.StartAsync();
        _host = await BrokerHost.StartAsync(_slack);
        _host.Desk.Add("req_sig", "tom", "dana", 1, ("U0ALICE", "alice"));
        _ts = await _host.AnnounceAsync(BrokerHost.Notice("req_sig"));
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _slack.DisposeAsync();
    }

    private string Now => _host.Time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    [Fact]
    public async Task Post_ForgedWithAnotherSecret_Unauthorized()
    {
        var response = await _host.PostClickAsync(_slack.ClickPayload(_ts, "U0ALICE", "approve"), signingSecret: "not-the-signing-secret");

        await AssertRejectedAsync(response);
    }

    [Fact]
    public async Task Post_ReplayedAfterFiveMinutes_Unauthorized()
    {
        var body = BrokerHost.FormBody(_slack.ClickPayload(_ts, "U0ALICE", "approve"));
        var signedAt = Now;
        _host.Time.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));

        var response = await _host.PostRawAsync(body, signedAt, BrokerHost.SigningSecret);

        await AssertRejectedAsync(response);
    }

    [Fact]
    public async Task Post_TimestampFromTheFuture_Unauthorized()
    {
        var future = _host.Time.GetUtcNow().AddMinutes(6).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

        var response = await _host.PostClickAsync(_slack.ClickPayload(_ts, "U0ALICE", "approve"), timestamp: future);

        await AssertRejectedAsync(response);
    }

    [Fact]
    public async Task Post_BodyModifiedAfterSigning_Unauthorized()
    {
        var signed = BrokerHost.FormBody(_slack.ClickPayload(_ts, "U0MALLORY", "approve"));
        var tampered = signed.Replace("U0MALLORY", "U0ALICE", StringComparison.Ordinal);
        var signature = SlackSignature.Sign(BrokerHost.SigningSecret, Now, System.Text.Encoding.UTF8.GetBytes(signed));

        var response = await _host.PostRawAsync(tampered, Now, signingSecret: null, signature: signature);

        await AssertRejectedAsync(response);
    }

    [Fact]
    public async Task Post_NoSignatureHeader_Unauthorized()
    {
        var response = await _host.PostRawAsync(BrokerHost.FormBody(_slack.ClickPayload(_ts, "U0ALICE", "approve")), Now, signingSecret: null);

        await AssertRejectedAsync(response);
    }

    [Fact]
    public async Task Post_NoTimestampHeader_Unauthorized()
    {
        var body = BrokerHost.FormBody(_slack.ClickPayload(_ts, "U0ALICE", "approve"));
        var signature = SlackSignature.Sign(BrokerHost.SigningSecret, Now, System.Text.Encoding.UTF8.GetBytes(body));

        var response = await _host.PostRawAsync(body, timestamp: null, signingSecret: null, signature: signature);

        await AssertRejectedAsync(response);
    }

    [Fact]
    public async Task Post_ValidSignatureWithinWindow_Accepted()
    {
        var body = BrokerHost.FormBody(_slack.ClickPayload(_ts, "U0ALICE", "approve"));
        var signedAt = Now;
        _host.Time.Advance(TimeSpan.FromMinutes(4));

        var response = await _host.PostRawAsync(body, signedAt, BrokerHost.SigningSecret);
        await _host.WaitUntilAsync(() => _slack.Message(_ts).UpdateCount == 1, "message updated");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(_host.Desk.VoteCalls);
    }

    private async Task AssertRejectedAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);

        // A genuine click on the same request is queued behind anything the rejected one could have queued (same
        // request, same ordered partition); once it is handled, the rejected request has provably reached nothing.
        await _host.PostClickAsync(_slack.ClickPayload(_ts, "U0NOBODY", "approve"));
        await _host.WaitUntilAsync(() => _slack.Responses.Count == 1, "control click handled");
        Assert.Equal([("req_sig", "U0NOBODY")], _host.Desk.Lookups);
        Assert.Empty(_host.Desk.VoteCalls);
        Assert.Equal(0, _slack.Message(_ts).UpdateCount);
        Assert.Contains(_host.Logs.Lines, l => l.Contains("[7010]", StringComparison.Ordinal));
        Assert.DoesNotContain(BrokerHost.SigningSecret, _host.Logs.AllText, StringComparison.Ordinal);
    }
}
