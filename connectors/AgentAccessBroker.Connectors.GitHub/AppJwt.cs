using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace AgentAccessBroker.Connectors.GitHub;

/// <summary>
/// The JSON Web Token a GitHub App signs (RS256) to act as itself: <c>iss</c> the app id, <c>iat</c> 60 s in the past
/// (GitHub's advice against clock drift) and <c>exp</c> 9 minutes ahead (GitHub refuses more than 10).
/// </summary>
internal static class AppJwt
{
    public static readonly TimeSpan Backdate = TimeSpan.FromSeconds(60);
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(9);

    public static string Create(long appId, RSA privateKey, DateTimeOffset now)
    {
        var header = Base64Url("{\"alg\":\"RS256\",\"typ\":\"JWT\"}"u8);
        var payload = Base64Url(Encoding.UTF8.GetBytes(string.Create(
            CultureInfo.InvariantCulture,
            $"{{\"iat\":{(now - Backdate).ToUnixTimeSeconds()},\"exp\":{(now + Lifetime).ToUnixTimeSeconds()},\"iss\":\"{appId}\"}}")));
        var signingInput = header + "." + payload;
        var signature = privateKey.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return signingInput + "." + Base64Url(signature);
    }

    public static string Base64Url(ReadOnlySpan<byte> bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
