using System.Security.Cryptography;
using AgentAccessBroker.Server.Hosting;

namespace AgentAccessBroker.Server.Audit;

/// <summary>
/// The ECDSA P-256 key that signs audit exports, so auditors can check an export with the public key alone. The private
/// key is kept encrypted (AES-256-GCM) under the master key: <c>AAB_MASTER_KEY</c> (base64, 32 bytes) when set,
/// otherwise a key file created once in the data directory with owner-only permissions.
/// </summary>
public sealed class AuditSigningKey : IDisposable
{
    public const string MasterKeyVariable = "AAB_MASTER_KEY";

    private readonly ECDsa _key;

    private AuditSigningKey(ECDsa key)
    {
        _key = key;
        PublicKey = key.ExportSubjectPublicKeyInfo();
        KeyId = KeyIdOf(PublicKey);
    }

    /// <summary>SubjectPublicKeyInfo (DER).</summary>
    public byte[] PublicKey { get; }

    /// <summary>First 16 hex characters of the SHA-256 of the public key.</summary>
    public string KeyId { get; }

    /// <summary>The key id of a public key (SubjectPublicKeyInfo): the first 16 hex characters of its SHA-256.</summary>
    public static string KeyIdOf(byte[] publicKey) => Convert.ToHexStringLower(SHA256.HashData(publicKey))[..16];

    public string PublicKeyPem => PemEncoding.WriteString("PUBLIC KEY", PublicKey);

    /// <param name="masterKey">The master key (base64 of 32 bytes) resolved from its reference; null to use <c>master.key</c> in the data directory.</param>
    public static AuditSigningKey LoadOrCreate(string dataDirectory, string? masterKey = null)
    {
        Directory.CreateDirectory(dataDirectory);
        var master = MasterKey(dataDirectory, masterKey);
        var path = Path.Combine(dataDirectory, "audit-signing.key");
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        if (File.Exists(path))
        {
            key.ImportPkcs8PrivateKey(Decrypt(master, Convert.FromBase64String(File.ReadAllText(path).Trim())), out _);
        }
        else
        {
            OwnerOnlyFile.Write(path, Convert.ToBase64String(Encrypt(master, key.ExportPkcs8PrivateKey())), overwrite: false);
        }

        return new AuditSigningKey(key);
    }

    public byte[] Sign(byte[] data) => _key.SignData(data, HashAlgorithmName.SHA256);

    public static bool Verify(byte[] publicKey, byte[] data, byte[] signature)
    {
        using var key = ECDsa.Create();
        key.ImportSubjectPublicKeyInfo(publicKey, out _);
        return key.VerifyData(data, signature, HashAlgorithmName.SHA256);
    }

    public void Dispose() => _key.Dispose();

    private static byte[] MasterKey(string dataDirectory, string? configured)
    {
        if (!string.IsNullOrEmpty(configured))
        {
            var bytes = Convert.FromBase64String(configured);
            return bytes.Length == 32 ? bytes : throw new InvalidOperationException($"{MasterKeyVariable} must be 32 bytes, base64-encoded.");
        }

        var path = Path.Combine(dataDirectory, "master.key");
        if (!File.Exists(path))
        {
            OwnerOnlyFile.Write(path, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)), overwrite: false);
        }

        return Convert.FromBase64String(File.ReadAllText(path).Trim());
    }

    private static byte[] Encrypt(byte[] key, byte[] plaintext)
    {
        var nonce = RandomNumberGenerator.GetBytes(12);
        var tag = new byte[16];
        var ciphertext = new byte[plaintext.Length];
        using var aes = new AesGcm(key, tag.Length);
        aes.Encrypt(nonce, plaintext, ciphertext, tag);
        return [.. nonce, .. tag, .. ciphertext];
    }

    private static byte[] Decrypt(byte[] key, byte[] sealedBytes)
    {
        var plaintext = new byte[sealedBytes.Length - 28];
        using var aes = new AesGcm(key, 16);
        try
        {
            aes.Decrypt(sealedBytes.AsSpan(0, 12), sealedBytes.AsSpan(28), sealedBytes.AsSpan(12, 16), plaintext);
        }
        catch (AuthenticationTagMismatchException)
        {
            throw new InvalidOperationException($"The audit signing key cannot be decrypted: {MasterKeyVariable} or master.key does not match the one it was created with.");
        }

        return plaintext;
    }
}
