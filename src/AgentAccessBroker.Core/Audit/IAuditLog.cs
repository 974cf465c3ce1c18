namespace AgentAccessBroker.Audit;

/// <summary>Appends events to the hash-chained, append-only audit trail.</summary>
public interface IAuditLog
{
    Task<AuditEvent> AppendAsync(AuditEntry entry, CancellationToken cancellationToken);
}
