using System.Text;
using System.Text.Json;
using AgentAccessBroker.Server.Audit;

namespace AgentAccessBroker.Server.Evidence;

/// <summary><c>signature.json</c>: the ECDSA P-256 signature of the exact bytes of <c>manifest.json</c>, and the public key that made it.</summary>
public sealed record EvidenceSignature(string Type, string KeyId, string PublicKey, string Signature)
{
    public const string SignatureType = "aab.evidence.signature";

    /// <summary>Signs the exact bytes of a manifest with the broker's audit key.</summary>
    public static EvidenceSignature Sign(byte[] manifestBytes, AuditSigningKey key) =>
        new(SignatureType, key.KeyId, Convert.ToBase64String(key.PublicKey), Convert.ToBase64String(key.Sign(manifestBytes)));

    public byte[] ToBytes() => Encoding.UTF8.GetBytes(JsonSerializer.Serialize(this, EvidenceContent.ManifestJson) + "\n");
}
