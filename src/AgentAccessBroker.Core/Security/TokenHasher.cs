using System.Security.Cryptography;
using System.Text;

namespace AgentAccessBroker.Security;

/// <summary>
/// Bearer tokens: 256 random bits, shown once, stored only as SHA-256. A fast hash is right here because the tokens are
/// high-entropy; a slow password hash would add nothing but latency to every call.
/// </summary>
public static class TokenHasher
{
    public static string NewToken(string prefix)
    {
        Span<byte> bytes = stackalloc byte[32];
        RandomNumberGenerator.Fill(bytes);
        return prefix + "_" + Base64UrlEncode(bytes);
    }

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static string Base64UrlEncode(ReadOnlySpan<byte> bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
