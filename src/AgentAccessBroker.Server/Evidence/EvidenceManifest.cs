using System.Text;
using System.Text.Json;

namespace AgentAccessBroker.Server.Evidence;

/// <summary>
/// <c>manifest.json</c>: what the pack covers, the range of audit events and the hash of every file. Its exact bytes are
/// signed with the broker's audit key (<c>signature.json</c>), so changing any file, or the manifest, breaks the pack.
/// </summary>
public sealed record EvidenceManifest(
    int Version,
    string Type,
    string GeneratedAt,
    EvidenceManifest.ScopeInfo Scope,
    EvidenceManifest.EventRange Events,
    IReadOnlyList<EvidenceManifest.FileHash> Files,
    string KeyId)
{
    public const string ManifestType = "aab.evidence.manifest";

    public const string FileName = "manifest.json";

    public const string SignatureFileName = "signature.json";

    /// <summary>The manifest as written (indented JSON and a final newline); the signature covers exactly these bytes.</summary>
    public byte[] ToBytes() => Encoding.UTF8.GetBytes(JsonSerializer.Serialize(this, EvidenceContent.ManifestJson) + "\n");

    public static EvidenceManifest? Read(byte[] bytes) => JsonSerializer.Deserialize<EvidenceManifest>(bytes, EvidenceContent.ManifestJson);

    public sealed record ScopeInfo(string? Task, string? From, string? To, string? Agent);

    /// <param name="Count">Events in scope, in <c>events.jsonl</c>.</param>
    /// <param name="FirstSequence">First event of the chain segment in <c>chain.jsonl</c>.</param>
    /// <param name="PreviousHash">The hash the first event of the segment links to.</param>
    /// <param name="LastHash">The hash of the last event of the segment: compare it with a later full export.</param>
    /// <param name="Digest">SHA-256 over the in-scope events' hashes, as in <c>aab audit export</c>.</param>
    public sealed record EventRange(int Count, long? FirstSequence, long? LastSequence, string? PreviousHash, string? LastHash, string Digest);

    public sealed record FileHash(string Name, string Sha256, long Bytes);
}
