using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace AgentAccessBroker.Connectors.Slack.Interactivity;

/// <summary>
/// Slack's request signing (v0): <c>v0=</c> + hex HMAC-SHA256, keyed with the signing secret, over
/// <c>v0:{X-Slack-Request-Timestamp}:{raw body}</c>. The body is used exactly as received, never re-encoded; the
/// comparison is constant-time; a timestamp more than five minutes from now is refused, which bounds replays.
/// </summary>
internal static class SlackSignature
{
    public const string SignatureHeader = "X-Slack-Signature";
    public const string TimestampHeader = "X-Slack-Request-Timestamp";
    public static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);

    private const string Version = "v0";
    private const int HashBytes = 32;

    public static string Sign(string signingSecret, string timestamp, ReadOnlySpan<byte> body)
    {
        Span<byte> hash = stackalloc byte[HashBytes];
        Compute(signingSecret, timestamp, body, hash);
        return Version + "=" + Convert.ToHexStringLower(hash);
    }

    public static SignatureCheck Verify(
        string? timestamp, string? signature, ReadOnlySpan<byte> body, string signingSecret, DateTimeOffset now)
    {
        if (string.IsNullOrEmpty(timestamp) || string.IsNullOrEmpty(signature))
        {
            return SignatureCheck.MissingHeaders;
        }

        if (timestamp.Length > 12 || !long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return SignatureCheck.MalformedTimestamp;
        }

        if (Math.Abs(now.ToUnixTimeSeconds() - seconds) > (long)Tolerance.TotalSeconds)
        {
            return SignatureCheck.StaleTimestamp;
        }

        const string prefix = Version + "=";
        Span<byte> provided = stackalloc byte[HashBytes];
        if (signature.Length != prefix.Length + (HashBytes * 2)
            || !signature.StartsWith(prefix, StringComparison.Ordinal)
            || Convert.FromHexString(signature.AsSpan(prefix.Length), provided, out _, out var written) != System.Buffers.OperationStatus.Done
            || written != HashBytes)
        {
            return SignatureCheck.MalformedSignature;
        }

        Span<byte> expected = stackalloc byte[HashBytes];
        Compute(signingSecret, timestamp, body, expected);
        return CryptographicOperations.FixedTimeEquals(expected, provided) ? SignatureCheck.Valid : SignatureCheck.Mismatch;
    }

    private static void Compute(string signingSecret, string timestamp, ReadOnlySpan<byte> body, Span<byte> destination)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(signingSecret));
        hmac.AppendData(Encoding.UTF8.GetBytes(Version + ":" + timestamp + ":"));
        hmac.AppendData(body);
        hmac.GetHashAndReset(destination);
    }
}
