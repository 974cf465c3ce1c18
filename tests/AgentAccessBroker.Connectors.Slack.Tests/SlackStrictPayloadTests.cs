using System.Net;

namespace AgentAccessBroker.Connectors.Slack.Tests;

/// <summary>
/// A signed payload that names a key twice, or in two letter cases, is refused with 400: which copy a reader takes
/// differs between parsers, so such a payload is never resolved in the sender's favour.
/// </summary>
public sealed class SlackStrictPayloadTests : BrokerHostTest
{
    private string _ts = null!;

    protected override async Task StartedAsync()
    {
        Host.Desk.Add("req_strict", "tom", "dana", 1, ("U0ALICE", "alice"));
        _ts = await Host.AnnounceAsync(BrokerHost.Notice("req_strict"));
    }

    [Theory]
    [InlineData("duplicate user")]
    [InlineData("case-variant user")]
    [InlineData("duplicate action value")]
    public async Task Post_SignedPayloadWithAmbiguousKey_Returns400AndReachesNothing(string ambiguity)
    {
        var payload = Slack.ClickPayload(_ts, "U0ALICE", "approve").ToJsonString();
        var ambiguous = ambiguity switch
        {
            "duplicate user" => payload[..^1] + ",\"user\":{\"id\":\"U0MALLORY\"}}",
            "case-variant user" => payload[..^1] + ",\"User\":{\"id\":\"U0MALLORY\"}}",
            _ => payload.Replace("\"value\":\"req_strict\"", "\"value\":\"req_strict\",\"value\":\"req_other\"", StringComparison.Ordinal),
        };
        Assert.NotEqual(payload, ambiguous);

        var response = await Host.PostRawAsync("payload=" + Uri.EscapeDataString(ambiguous), Host.Time.GetUtcNow().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), BrokerHost.SigningSecret);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);

        // A genuine click queued after it is handled first only if the refused one queued nothing.
        await Host.PostClickAsync(Slack.ClickPayload(_ts, "U0NOBODY", "approve"));
        await Host.WaitUntilAsync(() => Slack.Responses.Count == 1, "control click handled");
        Assert.Empty(Host.Desk.VoteCalls);
        Assert.Equal(0, Slack.Message(_ts).UpdateCount);
    }
}
