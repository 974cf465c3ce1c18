using AgentAccessBroker.Policy;

namespace AgentAccessBroker.Core.Tests.Policy;

public sealed class PolicyDurationTests
{
    public static TheoryData<string, TimeSpan> Valid => new()
    {
        { "90s", TimeSpan.FromSeconds(90) },
        { "30m", TimeSpan.FromMinutes(30) },
        { "1h", TimeSpan.FromHours(1) },
        { "2h30m", new TimeSpan(2, 30, 0) },
        { "1d", TimeSpan.FromDays(1) },
        { "1d2h3m4s", new TimeSpan(1, 2, 3, 4) },
        { "0s", TimeSpan.Zero },
        { "120m", TimeSpan.FromHours(2) },
    };

    [Theory]
    [MemberData(nameof(Valid))]
    public void TryParse_WellFormed_ReturnsDuration(string text, TimeSpan expected)
    {
        Assert.True(PolicyDuration.TryParse(text, out var duration));
        Assert.Equal(expected, duration);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("30")]
    [InlineData("m")]
    [InlineData("30x")]
    [InlineData("1m1h")]
    [InlineData("1h1h")]
    [InlineData("30 m")]
    [InlineData(" 30m")]
    [InlineData("-5m")]
    [InlineData("1.5h")]
    [InlineData("1H")]
    [InlineData("PT30M")]
    [InlineData("30m ")]
    [InlineData("999999999d")]
    [InlineData("1234567890s")]
    public void TryParse_Malformed_ReturnsFalse(string? text)
    {
        Assert.False(PolicyDuration.TryParse(text, out _));
    }

    [Theory]
    [InlineData(90, "1m30s")]
    [InlineData(1800, "30m")]
    [InlineData(9000, "2h30m")]
    [InlineData(86400, "1d")]
    [InlineData(0, "0s")]
    public void Format_Duration_RoundTripsThroughTryParse(int seconds, string expected)
    {
        var text = PolicyDuration.Format(TimeSpan.FromSeconds(seconds));

        Assert.Equal(expected, text);
        Assert.True(PolicyDuration.TryParse(text, out var parsed));
        Assert.Equal(TimeSpan.FromSeconds(seconds), parsed);
    }
}
