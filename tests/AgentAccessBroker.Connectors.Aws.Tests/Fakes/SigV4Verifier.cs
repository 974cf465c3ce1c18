using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace AgentAccessBroker.Connectors.Aws.Tests.Fakes;

/// <summary>
/// Checks AWS Signature Version 4 the way AWS does, written from the published specification with plain HMAC-SHA256
/// (independent of AWSSDK.Core), so the fake rejects a request the real service would reject for its signature.
/// </summary>
internal static partial class SigV4Verifier
{
    public sealed record Scope(string AccessKeyId, string Date, string Region, string Service);

    public sealed record Parsed(Scope Scope, IReadOnlyList<string> SignedHeaders, string Signature);

    /// <summary>Parses an Authorization header; null when it is not a SigV4 header.</summary>
    public static Parsed? Parse(string? authorization)
    {
        if (authorization is null || AuthorizationPattern().Match(authorization) is not { Success: true } m)
        {
            return null;
        }

        var scope = new Scope(m.Groups["key"].Value, m.Groups["date"].Value, m.Groups["region"].Value, m.Groups["service"].Value);
        return new Parsed(scope, m.Groups["headers"].Value.Split(';'), m.Groups["signature"].Value);
    }

    /// <summary>The signature for a request, from its parts: method, raw path, raw query (no '?'), headers, body.</summary>
    public static string Signature(
        string method, string path, string query, IReadOnlyList<(string Name, string Value)> signedHeaders, byte[] body, string amzDate, Scope scope, string secretKey)
    {
        var canonical = new StringBuilder()
            .Append(method).Append('\n')
            .Append(string.IsNullOrEmpty(path) ? "/" : path).Append('\n')
            .Append(CanonicalQuery(query)).Append('\n');
        foreach (var (name, value) in signedHeaders)
        {
            canonical.Append(name).Append(':').Append(WhitespaceRun().Replace(value.Trim(), " ")).Append('\n');
        }

        canonical.Append('\n').Append(string.Join(';', signedHeaders.Select(h => h.Name))).Append('\n').Append(Hex(SHA256.HashData(body)));

        var credentialScope = $"{scope.Date}/{scope.Region}/{scope.Service}/aws4_request";
        var stringToSign = $"AWS4-HMAC-SHA256\n{amzDate}\n{credentialScope}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonical.ToString())))}";
        var key = Hmac(Encoding.UTF8.GetBytes("AWS4" + secretKey), scope.Date);
        key = Hmac(key, scope.Region);
        key = Hmac(key, scope.Service);
        key = Hmac(key, "aws4_request");
        return Hex(Hmac(key, stringToSign));
    }

    public static bool FixedTimeEquals(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(a), Encoding.ASCII.GetBytes(b));

    private static string CanonicalQuery(string query)
    {
        if (string.IsNullOrEmpty(query))
        {
            return string.Empty;
        }

        return string.Join(
            '&',
            query.Split('&', StringSplitOptions.RemoveEmptyEntries)
                .Select(p => p.Split('=', 2))
                .Select(p => (Name: Encode(p[0]), Value: Encode(p.Length > 1 ? p[1] : string.Empty)))
                .OrderBy(p => p.Name, StringComparer.Ordinal)
                .ThenBy(p => p.Value, StringComparer.Ordinal)
                .Select(p => p.Name + "=" + p.Value));
    }

    private static string Encode(string raw) => Uri.EscapeDataString(Uri.UnescapeDataString(raw));

    private static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));

    private static string Hex(byte[] bytes) => Convert.ToHexString(bytes).ToLower(CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^AWS4-HMAC-SHA256 Credential=(?<key>[A-Z0-9]+)/(?<date>\d{8})/(?<region>[a-z0-9-]+)/(?<service>[a-z0-9-]+)/aws4_request, ?SignedHeaders=(?<headers>[a-z0-9;-]+), ?Signature=(?<signature>[0-9a-f]{64})$")]
    private static partial Regex AuthorizationPattern();

    [GeneratedRegex(@"\s+")]
    private static partial Regex WhitespaceRun();
}
