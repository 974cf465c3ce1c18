using System.Security.Cryptography;
using System.Text;

namespace AgentAccessBroker.Connectors.Azure;

/// <summary>
/// Name-based GUIDs (RFC 9562 version 8 over SHA-256). A role assignment's name is computed from the lease before the
/// PUT, so the lease row written first is enough to find and delete the assignment after a crash.
/// </summary>
internal static class DeterministicGuid
{
    public static Guid Create(params string[] parts)
    {
        // Length-prefixing keeps ("ab","c") and ("a","bc") apart.
        var builder = new StringBuilder("agentaccessbroker/azure");
        foreach (var part in parts)
        {
            builder.Append('|').Append(part.Length).Append(':').Append(part);
        }

        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(builder.ToString()), hash);
        var bytes = hash[..16];
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true);
    }
}
