using AgentAccessBroker.Credentials;

namespace AgentAccessBroker.Audit;

/// <summary>Records in the audit trail every revocation that had to reach further than its own lease.</summary>
public sealed class AuditedRevocationObserver(IAuditLog log) : IRevocationObserver
{
    public Task OnFallbackAsync(RevocationFallback fallback, CancellationToken cancellationToken) =>
        log.AppendAsync(AuditEntries.RevocationFallback(fallback), cancellationToken);
}
