namespace AgentAccessBroker.Domain;

/// <summary>
/// What was minted, where, until when, and the data needed to undo it. Never holds the secret itself.
/// The lease table is the source of truth for revocation; schedulers only trigger work the store says is due.
/// </summary>
/// <param name="Provider">The credential provider name (<c>postgresql</c>, <c>aws</c>, <c>azure</c>).</param>
/// <param name="RevocationData">Provider-specific, non-secret values revoke needs (role name, assignment id...).</param>
/// <param name="RevocationAttempts">How many revocation attempts failed so far.</param>
/// <param name="NextAttemptAt">When a failed revocation is retried next (exponential backoff).</param>
public sealed record Lease(
    string Id,
    string RequestId,
    string TaskId,
    string AgentId,
    string Target,
    string Provider,
    IReadOnlyList<string> Resources,
    IReadOnlyList<string> Actions,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    LeaseState State,
    IReadOnlyDictionary<string, string> RevocationData,
    int RevocationAttempts,
    string? LastError,
    DateTimeOffset? NextAttemptAt,
    DateTimeOffset? RevokedAt,
    DateTimeOffset? VerifiedAt)
{
    /// <summary>
    /// When the lease was marked for revocation ahead of its end (its task ended, its agent was cut off or locked):
    /// the sweeps revoke it from then on, however long it had left.
    /// </summary>
    public DateTimeOffset? DueAt { get; init; }

    /// <summary>
    /// On a revoked lease whose provider is an <see cref="Credentials.IRevokedCredentialLifetime"/>, and on a rolled-back
    /// mint that reached outside: until when its (possible) credential could still be used if the revocation were undone.
    /// Until then the broker re-verifies the revocation periodically (<see cref="VerifiedAt"/> says when it last did) and
    /// revokes again if the access came back. Set to the moment re-verification stopped when the provider said there was
    /// nothing left to watch (a lease revoked before the column existed, given a conservative bound by migration 7).
    /// </summary>
    public DateTimeOffset? UsableUntil { get; init; }

    public bool IsLive => State is LeaseState.Minting or LeaseState.Active or LeaseState.Revoking or LeaseState.RevocationFailed;
}
