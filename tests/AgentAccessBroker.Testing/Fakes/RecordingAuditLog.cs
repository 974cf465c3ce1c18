using System.Collections.Concurrent;
using AgentAccessBroker.Audit;

namespace AgentAccessBroker.Testing.Fakes;

public sealed class RecordingAuditLog(TimeProvider time) : IAuditLog
{
    private long _sequence;

    public ConcurrentQueue<AuditEntry> Entries { get; } = new();

    public Task<AuditEvent> AppendAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        Entries.Enqueue(entry);
        var sequence = Interlocked.Increment(ref _sequence);
        return Task.FromResult(new AuditEvent(
            sequence, time.GetUtcNow(), entry.Type, entry.Actor, entry.AgentId, entry.TaskId, entry.RequestId, entry.LeaseId,
            entry.Data.ToJsonString(), "prev", "hash"));
    }
}
