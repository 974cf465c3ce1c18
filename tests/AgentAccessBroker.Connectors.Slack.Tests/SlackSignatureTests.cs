using System.Text;
using AgentAccessBroker.Connectors.Slack.Interactivity;

namespace AgentAccessBroker.Connectors.Slack.Tests;

public sealed class SlackSignatureTests
{
    // Slack's published example (api.slack.com/authentication/verifying-requests-from-slack).
    private const string Secret = "8f742231b10e8888abcd99yyyzzz85a5";
    private const string Timestamp = "1531420618";
    private const string Expected = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";
    private const string Body =
        "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar"
        + "&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com"
        + "%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";

    private static readonly DateTimeOffset At = DateTimeOffset.FromUnixTimeSeconds(1531420618);

    [Fact]
    public void Sign_SlackDocumentedExample_MatchesPublishedSignature()
    {
        var signature = SlackSignature.Sign(Secret, Timestamp, Encoding.UTF8.GetBytes(Body));

        Assert.Equal(Expected, signature);
    }

    [Fact]
    public void Verify_SlackDocumentedExample_IsValid()
    {
        var check = SlackSignature.Verify(Timestamp, Expected, Encoding.UTF8.GetBytes(Body), Secret, At.AddSeconds(42));

        Assert.Equal(SignatureCheck.Valid, check);
    }

    [Theory]
    [InlineData(300, nameof(SignatureCheck.Valid))]
    [InlineData(-300, nameof(SignatureCheck.Valid))]
    [InlineData(301, nameof(SignatureCheck.StaleTimestamp))]
    [InlineData(-301, nameof(SignatureCheck.StaleTimestamp))]
    [InlineData(86_400, nameof(SignatureCheck.StaleTimestamp))]
    public void Verify_ClockDistance_FiveMinutesTolerated(int secondsAfter, string expected)
    {
        var check = SlackSignature.Verify(Timestamp, Expected, Encoding.UTF8.GetBytes(Body), Secret, At.AddSeconds(secondsAfter));

        Assert.Equal(expected, check.ToString());
    }

    [Fact]
    public void Verify_BodyModified_Mismatch()
    {
        var modified = Body.Replace("user_id=U2CERLKJA", "user_id=U2CERLKJB", StringComparison.Ordinal);

        var check = SlackSignature.Verify(Timestamp, Expected, Encoding.UTF8.GetBytes(modified), Secret, At);

        Assert.Equal(SignatureCheck.Mismatch, check);
    }

    [Fact]
    public void Verify_TimestampHeaderChanged_Mismatch()
    {
        var check = SlackSignature.Verify("1531420619", Expected, Encoding.UTF8.GetBytes(Body), Secret, At);

        Assert.Equal(SignatureCheck.Mismatch, check);
    }

    [Fact]
    public void Verify_WrongSecret_Mismatch()
    {
        var check = SlackSignature.Verify(Timestamp, Expected, Encoding.UTF8.GetBytes(Body), Secret + "x", At);

        Assert.Equal(SignatureCheck.Mismatch, check);
    }

    [Theory]
    [InlineData(null, Expected, nameof(SignatureCheck.MissingHeaders))]
    [InlineData(Timestamp, null, nameof(SignatureCheck.MissingHeaders))]
    [InlineData("", "", nameof(SignatureCheck.MissingHeaders))]
    [InlineData("15314206l8", Expected, nameof(SignatureCheck.MalformedTimestamp))]
    [InlineData("-1531420618", Expected, nameof(SignatureCheck.MalformedTimestamp))]
    [InlineData(Timestamp, "v1=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503", nameof(SignatureCheck.MalformedSignature))]
    [InlineData(Timestamp, "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b5", nameof(SignatureCheck.MalformedSignature))]
    [InlineData(Timestamp, "v0=z2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503", nameof(SignatureCheck.MalformedSignature))]
    [InlineData(Timestamp, "a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503", nameof(SignatureCheck.MalformedSignature))]
    public void Verify_MissingOrMalformedHeaders_Rejected(string? timestamp, string? signature, string expected)
    {
        var check = SlackSignature.Verify(timestamp, signature, Encoding.UTF8.GetBytes(Body), Secret, At);

        Assert.Equal(expected, check.ToString());
    }
}
