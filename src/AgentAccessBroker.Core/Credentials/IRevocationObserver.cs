namespace AgentAccessBroker.Credentials;

/// <summary>
/// Told when a provider could not revoke one lease exactly and had to revoke something broader instead (for example
/// every session of an AWS role issued before a moment). Providers cannot write the audit trail themselves; the host
/// registers an implementation that appends an <c>revocation.fallback</c> audit event.
/// </summary>
/// <remarks>
/// Security contract: the <see cref="RevocationFallback"/> holds no secret. Called after the broader revocation has been
/// written, so the lease is revoked whether or not the observer succeeds; an observer failure is logged, not rethrown.
/// </remarks>
public interface IRevocationObserver
{
    Task OnFallbackAsync(RevocationFallback fallback, CancellationToken cancellationToken);
}
