using System.Globalization;
using AgentAccessBroker.Audit;

namespace AgentAccessBroker.Server.Audit;

/// <summary>One audit event as exported: every field the hash covers, as text, so an auditor can recompute it.</summary>
public sealed record AuditRecord(
    long Sequence,
    string Timestamp,
    string Type,
    string Actor,
    string? AgentId,
    string? TaskId,
    string? RequestId,
    string? LeaseId,
    string Data,
    string PreviousHash,
    string Hash)
{
    public const string TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffffffZ";

    public static AuditRecord Of(AuditEvent e) => new(
        e.Sequence, e.Timestamp.ToUniversalTime().ToString(TimestampFormat, CultureInfo.InvariantCulture), e.Type, e.Actor,
        e.AgentId, e.TaskId, e.RequestId, e.LeaseId, e.Data, e.PreviousHash, e.Hash);

    public string ComputeHash() => AuditChain.ComputeHash(
        PreviousHash, Sequence, DateTimeOffset.ParseExact(Timestamp, TimestampFormat, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal),
        Type, Actor, AgentId, TaskId, RequestId, LeaseId, Data);
}
