using System.Security.Cryptography;
using System.Text;

namespace AgentAccessBroker.Connectors.GitHub;

/// <summary>
/// Keeps an installation token in revocation data without keeping it readable: AES-256-GCM under a key derived
/// (HKDF-SHA256) from the GitHub App's private key, bound to the lease and installation as associated data.
/// </summary>
/// <remarks>
/// GitHub revokes an installation token only when presented with the token itself, so revoke needs it back. The
/// broker's master key is private to the host's audit signing, and the host's data-protection key ring is ephemeral,
/// so neither can open data hours later on another node from a connector. The app's private key can: revoke resolves
/// it from the target anyway, every node has it, and whoever holds it can mint tokens at will, so a database reader
/// gains nothing they did not have. If the app's key is rotated, sealed tokens can no longer be opened and expire on
/// their own within the hour; revoke reports that instead of claiming success.
/// </remarks>
internal static class TokenSeal
{
    private const byte Version = 1;
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private static readonly byte[] Info = "aab github installation-token seal v1"u8.ToArray();

    public static string Seal(RSA appKey, string token, string context)
    {
        var key = DeriveKey(appKey);
        var plaintext = Encoding.UTF8.GetBytes(token);
        var output = new byte[1 + NonceSize + TagSize + plaintext.Length];
        output[0] = Version;
        var nonce = output.AsSpan(1, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key, TagSize);
        aes.Encrypt(nonce, plaintext, output.AsSpan(1 + NonceSize + TagSize), output.AsSpan(1 + NonceSize, TagSize), Encoding.UTF8.GetBytes(context));
        CryptographicOperations.ZeroMemory(key);
        return Convert.ToBase64String(output);
    }

    /// <summary>Returns the token, or null when the data was sealed under another key or for another context.</summary>
    public static string? Open(RSA appKey, string sealedText, string context)
    {
        byte[] input;
        try
        {
            input = Convert.FromBase64String(sealedText);
        }
        catch (FormatException)
        {
            return null;
        }

        if (input.Length <= 1 + NonceSize + TagSize || input[0] != Version)
        {
            return null;
        }

        var key = DeriveKey(appKey);
        var plaintext = new byte[input.Length - 1 - NonceSize - TagSize];
        try
        {
            using var aes = new AesGcm(key, TagSize);
            aes.Decrypt(input.AsSpan(1, NonceSize), input.AsSpan(1 + NonceSize + TagSize), input.AsSpan(1 + NonceSize, TagSize), plaintext, Encoding.UTF8.GetBytes(context));
            return Encoding.UTF8.GetString(plaintext);
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    private static byte[] DeriveKey(RSA appKey)
    {
        var material = appKey.ExportRSAPrivateKey();
        try
        {
            return HKDF.DeriveKey(HashAlgorithmName.SHA256, material, 32, salt: [], info: Info);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(material);
        }
    }
}
