using AgentAccessBroker.Server.WebConsole;
using AgentAccessBroker.Testing;
using Microsoft.Extensions.Time.Testing;

namespace AgentAccessBroker.WebConsole.Tests;

public sealed class SignInLinksTests
{
    private readonly FakeTimeProvider _clock = new(TestClock.Start);

    [Fact]
    public void Redeem_FirstUseWithinLifetime_ReturnsPrincipalOnce()
    {
        var links = new SignInLinks(_clock);
        var (token, expiresAt) = links.Create("bob", TimeSpan.FromMinutes(5));

        Assert.Equal("bob", links.Peek(token));
        Assert.Equal("bob", links.Redeem(token));
        Assert.Null(links.Redeem(token));
        Assert.Null(links.Peek(token));
        Assert.Equal(TestClock.Start + TimeSpan.FromMinutes(5), expiresAt);
    }

    [Fact]
    public void Redeem_AfterLifetime_ReturnsNull()
    {
        var links = new SignInLinks(_clock);
        var (token, _) = links.Create("bob", TimeSpan.FromMinutes(5));

        _clock.Advance(TimeSpan.FromMinutes(5));

        Assert.Null(links.Peek(token));
        Assert.Null(links.Redeem(token));
    }

    [Fact]
    public void Redeem_UnknownOrEmptyToken_ReturnsNull()
    {
        var links = new SignInLinks(_clock);
        var (token, _) = links.Create("bob", TimeSpan.FromMinutes(5));

        Assert.Null(links.Redeem(token + "x"));
        Assert.Null(links.Redeem(string.Empty));
        Assert.Null(links.Redeem(null));
        Assert.Equal("bob", links.Redeem(token));
    }
}
