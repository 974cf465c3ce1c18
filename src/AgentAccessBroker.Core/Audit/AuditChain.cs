using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace AgentAccessBroker.Audit;

/// <summary>The hash chain over audit events: SHA-256 over a length-prefixed encoding of every field.</summary>
public static class AuditChain
{
    /// <summary>The previous hash of the very first event.</summary>
    public const string GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000";

    public static string ComputeHash(
        string previousHash,
        long sequence,
        DateTimeOffset timestamp,
        string type,
        string actor,
        string? agentId,
        string? taskId,
        string? requestId,
        string? leaseId,
        string data)
    {
        // Length-prefixing every field makes the encoding unambiguous: no field can absorb its neighbour.
        var builder = new StringBuilder();
        void Add(string? value)
        {
            if (value is null)
            {
                builder.Append("-1:");
                return;
            }

            builder.Append(value.Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(value);
        }

        Add(previousHash);
        Add(sequence.ToString(CultureInfo.InvariantCulture));
        Add(timestamp.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture));
        Add(type);
        Add(actor);
        Add(agentId);
        Add(taskId);
        Add(requestId);
        Add(leaseId);
        Add(data);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(builder.ToString())));
    }

    public static string ComputeHash(AuditEvent e) =>
        ComputeHash(e.PreviousHash, e.Sequence, e.Timestamp, e.Type, e.Actor, e.AgentId, e.TaskId, e.RequestId, e.LeaseId, e.Data);

    /// <summary>Normalises a timestamp to what the chain hashes (UTC, 100 ns ticks), so stores round-trip it exactly.</summary>
    public static DateTimeOffset Normalise(DateTimeOffset timestamp) => new(timestamp.UtcTicks, TimeSpan.Zero);
}
