using System.Net;
using AgentAccessBroker.Server.WebConsole;
using Microsoft.AspNetCore.Http;

namespace AgentAccessBroker.WebConsole.Tests;

/// <summary>Plain HTTP only to a browser on the broker's machine; HTTPS (or a TLS proxy's forwarded scheme) from anywhere.</summary>
public sealed class ConsoleTransportTests
{
    [Theory]
    [InlineData("http", "127.0.0.1", true)]
    [InlineData("http", "::1", true)]
    [InlineData("http", "::ffff:127.0.0.1", true)]
    [InlineData("http", "10.1.2.3", false)]
    [InlineData("http", "192.168.0.20", false)]
    [InlineData("http", "2001:db8::5", false)]
    [InlineData("https", "10.1.2.3", true)]
    [InlineData("https", "127.0.0.1", true)]
    public void IsAllowed_SchemeAndPeer_OnlyHttpsOrLoopback(string scheme, string peer, bool expected)
    {
        var context = new DefaultHttpContext();
        context.Request.Scheme = scheme;
        context.Connection.RemoteIpAddress = IPAddress.Parse(peer);

        Assert.Equal(expected, ConsoleTransport.IsAllowed(context));
    }

    [Fact]
    public void IsAllowed_NoPeerAddressOnPlainHttp_IsRefused()
    {
        var context = new DefaultHttpContext();
        context.Request.Scheme = "http";

        Assert.False(ConsoleTransport.IsAllowed(context));
    }

    [Theory]
    [InlineData("http://127.0.0.1:8470", "")]
    [InlineData("http://localhost:8470;http://[::1]:8470", "")]
    [InlineData("https://0.0.0.0:8443", "")]
    [InlineData("http://0.0.0.0:8470", "http://0.0.0.0:8470")]
    [InlineData("http://*:8470", "http://*:8470")]
    [InlineData("http://+:8470", "http://+:8470")]
    [InlineData("http://broker.internal:8470", "http://broker.internal:8470")]
    [InlineData("http://127.0.0.1:8470; http://10.0.0.4:8470", "http://10.0.0.4:8470")]
    [InlineData("http://[::]:8470", "http://[::]:8470")]
    public void PlainHttpBeyondLoopback_ListenAddresses_NamesTheExposedOnes(string urls, string expected)
    {
        Assert.Equal(expected, string.Join(";", ConsoleTransport.PlainHttpBeyondLoopback(urls)));
    }
}
