using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Amazon.Runtime;
using Amazon.Runtime.Internal.Auth;

namespace AgentAccessBroker.Connectors.Aws.Signing;

/// <summary>
/// Signs a plain HTTP request with AWS Signature Version 4. Builds the canonical request itself and lets AWSSDK.Core's
/// <see cref="AWS4Signer"/> derive the key and signature, so the cryptography is the SDK's and only the request shape is
/// ours. (AWS4Signer lives in an "Internal" namespace with no compatibility promise; the IAM signing test pins it.)
/// </summary>
internal static class SigV4Signer
{
    public const string Algorithm = "AWS4-HMAC-SHA256";
    public const string FormContentType = "application/x-www-form-urlencoded; charset=utf-8";

    /// <summary>Adds <c>host</c>, <c>x-amz-date</c>, <c>x-amz-security-token</c> (session credentials) and <c>Authorization</c>.</summary>
    /// <param name="body">The exact bytes that will be sent (empty for GET).</param>
    public static void Sign(HttpRequestMessage request, byte[] body, ImmutableCredentials credentials, string region, string service, DateTimeOffset signedAt)
    {
        var uri = request.RequestUri ?? throw new InvalidOperationException("The request has no URI.");
        var amzDate = signedAt.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var headers = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["host"] = uri.IsDefaultPort ? uri.Host : uri.Host + ":" + uri.Port.ToString(CultureInfo.InvariantCulture),
            ["x-amz-date"] = amzDate,
        };
        if (request.Content?.Headers.ContentType is { } contentType)
        {
            headers["content-type"] = contentType.ToString();
        }

        if (credentials.UseToken)
        {
            headers["x-amz-security-token"] = credentials.Token;
        }

        var authorization = Authorization(request.Method.Method, uri, headers, body, credentials, region, service, signedAt.UtcDateTime);

        request.Headers.Host = headers["host"];
        request.Headers.TryAddWithoutValidation("X-Amz-Date", amzDate);
        if (credentials.UseToken)
        {
            request.Headers.TryAddWithoutValidation("X-Amz-Security-Token", credentials.Token);
        }

        request.Headers.TryAddWithoutValidation("Authorization", authorization);
    }

    /// <summary>The <c>Authorization</c> header value for a request whose headers to sign are <paramref name="headers"/> (lower-case names).</summary>
    internal static string Authorization(
        string method, Uri uri, SortedDictionary<string, string> headers, byte[] body, ImmutableCredentials credentials, string region, string service, DateTime signedAtUtc)
    {
        var canonical = CanonicalRequest(method, uri, headers, body);
        var result = AWS4Signer.ComputeSignature(credentials, region, signedAtUtc, service, string.Join(';', headers.Keys), canonical);
        return AuthorizationHeader(result.ForAuthorizationHeader);
    }

    /// <summary>The canonical request of SigV4 task 1 (path "/" or already-encoded path, sorted query, signed headers, payload hash).</summary>
    internal static string CanonicalRequest(string method, Uri uri, SortedDictionary<string, string> headers, byte[] body)
    {
        var builder = new StringBuilder();
        builder.Append(method).Append('\n');
        builder.Append(uri.AbsolutePath.Length == 0 ? "/" : uri.AbsolutePath).Append('\n');
        builder.Append(CanonicalQuery(uri.Query)).Append('\n');
        foreach (var (name, value) in headers)
        {
            builder.Append(name).Append(':').Append(string.Join(' ', value.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries))).Append('\n');
        }

        builder.Append('\n');
        builder.Append(string.Join(';', headers.Keys)).Append('\n');
        builder.Append(Convert.ToHexStringLower(SHA256.HashData(body)));
        return builder.ToString();
    }

    private static string CanonicalQuery(string query)
    {
        if (query.Length <= 1)
        {
            return string.Empty;
        }

        var pairs = query[1..]
            .Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p =>
            {
                var eq = p.IndexOf('=', StringComparison.Ordinal);
                var name = Uri.UnescapeDataString(eq < 0 ? p : p[..eq]);
                var value = eq < 0 ? string.Empty : Uri.UnescapeDataString(p[(eq + 1)..]);
                return (Name: Uri.EscapeDataString(name), Value: Uri.EscapeDataString(value));
            })
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .ThenBy(p => p.Value, StringComparer.Ordinal);
        return string.Join('&', pairs.Select(p => p.Name + "=" + p.Value));
    }

    // The SDK's ForAuthorizationHeader has been "Credential=..., SignedHeaders=..., Signature=..." without the
    // algorithm in some versions and with it in others; normalise so the header is right either way.
    private static string AuthorizationHeader(string fromSdk) =>
        fromSdk.StartsWith(Algorithm, StringComparison.Ordinal) ? fromSdk : Algorithm + " " + fromSdk;
}
