using System.Text.Json.Nodes;
using AgentAccessBroker.Credentials;

namespace AgentAccessBroker.Audit;

/// <summary>Records in the audit trail every revocation that had to reach further than its own lease.</summary>
public sealed class AuditedRevocationObserver(IAuditLog log) : IRevocationObserver
{
    public Task OnFallbackAsync(RevocationFallback fallback, CancellationToken cancellationToken) =>
        log.AppendAsync(new AuditEntry(AuditEventType.RevocationFallback, "broker", null, null, null, fallback.LeaseId, new JsonObject
        {
            ["provider"] = fallback.Provider,
            ["target"] = fallback.Target,
            ["reason"] = fallback.Reason,
            ["effect"] = fallback.Effect,
            ["at"] = fallback.At.ToString("O"),
        }), cancellationToken);
}
