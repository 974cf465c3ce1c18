using System.Net;

namespace AgentAccessBroker.Server.WebConsole;

/// <summary>
/// Where the console may be used. Its cookies are always <c>Secure</c>: browsers keep and send them over HTTPS, and
/// over plain HTTP only to <c>localhost</c> or a loopback address, which they treat as a secure context (Chromium and
/// Firefox do; the browser tests check Chromium). So the console answers plain HTTP only to a browser on the broker's
/// own machine; anyone else must come over HTTPS, directly or through a TLS proxy on this machine that sets
/// <c>X-Forwarded-Proto</c>. A browser elsewhere on plain HTTP would send the session in clear text if it sent it at all.
/// </summary>
public static class ConsoleTransport
{
    /// <summary>The answer to a console request over plain HTTP from another machine.</summary>
    public const string RefusalText =
        "The Agent Access Broker console is served only over HTTPS, or over plain HTTP to a browser on the broker's own machine " +
        "(http://127.0.0.1 or http://localhost). Put a TLS proxy in front of the broker (it must set X-Forwarded-Proto), or open the console on the broker's machine.";

    /// <summary>True when a console page may be served on this request: HTTPS, or plain HTTP from this machine.</summary>
    public static bool IsAllowed(HttpContext context) =>
        context.Request.IsHttps || context.Connection.RemoteIpAddress is { } peer && IPAddress.IsLoopback(peer.IsIPv4MappedToIPv6 ? peer.MapToIPv4() : peer);

    /// <summary>
    /// The listen addresses (<c>--urls</c>, separated by <c>;</c>) on which the console would be reached over plain HTTP
    /// from other machines: any <c>http://</c> address that is not loopback (<c>0.0.0.0</c>, <c>*</c>, <c>+</c>, a host name, a LAN address).
    /// </summary>
    public static IReadOnlyList<string> PlainHttpBeyondLoopback(string urls) =>
        [.. urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(IsPlainHttpBeyondLoopback)];

    private static bool IsPlainHttpBeyondLoopback(string url)
    {
        if (!url.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var host = url["http://".Length..].Split('/')[0];
        host = host.StartsWith('[') ? host[1..host.IndexOf(']', StringComparison.Ordinal)] : host.Split(':')[0];
        return !(string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address)));
    }
}
