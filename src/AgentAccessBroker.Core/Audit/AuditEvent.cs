namespace AgentAccessBroker.Audit;

/// <summary>
/// One appended, hash-chained audit event. <see cref="Hash"/> covers every other field and <see cref="PreviousHash"/>,
/// so altering, removing or reordering any event breaks the chain.
/// </summary>
/// <param name="Data">Canonical JSON text of the event details.</param>
public sealed record AuditEvent(
    long Sequence,
    DateTimeOffset Timestamp,
    string Type,
    string Actor,
    string? AgentId,
    string? TaskId,
    string? RequestId,
    string? LeaseId,
    string Data,
    string PreviousHash,
    string Hash);
