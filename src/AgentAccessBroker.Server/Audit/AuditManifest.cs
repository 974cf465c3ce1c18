using System.Security.Cryptography;
using System.Text;

namespace AgentAccessBroker.Server.Audit;

/// <summary>
/// The signed trailer of an export: what was asked for, how many events came out, and a digest over their hashes in
/// order. Removing, adding or reordering events changes the digest; the signature pins it to the broker's key.
/// </summary>
public sealed record AuditManifest(
    int Version,
    string ExportedAt,
    string? From,
    string? To,
    string? Agent,
    string? Task,
    long Count,
    long? FirstSequence,
    long? LastSequence,
    string EventsDigest,
    string KeyId)
{
    public const string RecordType = "aab.audit.manifest";

    public bool IsFiltered => Agent is not null || Task is not null;

    public static string Digest(IEnumerable<string> hashes)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var hash in hashes)
        {
            sha.AppendData(Encoding.ASCII.GetBytes(hash + "\n"));
        }

        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }
}
