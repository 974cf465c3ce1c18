using AgentAccessBroker.Audit;
using AgentAccessBroker.Storage;

namespace AgentAccessBroker.Testing.Broker;

/// <summary>The whole audit trail of a store, for tests that look for an event in it.</summary>
public static class AuditTrail
{
    /// <summary>Every event <paramref name="store"/> holds, oldest first.</summary>
    public static async Task<IReadOnlyList<AuditEvent>> ReadAllAsync(IBrokerStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        var events = new List<AuditEvent>();
        await foreach (var e in store.ReadAuditAsync(new AuditQuery(), CancellationToken.None))
        {
            events.Add(e);
        }

        return events;
    }
}
