namespace AgentAccessBroker.Credentials;

/// <summary>
/// Optional capability of an <see cref="ICredentialProvider"/>: a cheap check that a target answers (for PostgreSQL, a
/// login as the broker and <c>SELECT 1</c>). After a revocation on a target fails, the broker probes it and retries the
/// target's failed revocations as soon as a probe succeeds, instead of waiting out each lease's backoff.
/// </summary>
public interface ITargetHealthProbe
{
    /// <summary>Completes when the target answered; throws when it did not. Changes nothing outside.</summary>
    Task ProbeAsync(TargetSettings target, CancellationToken cancellationToken);
}
