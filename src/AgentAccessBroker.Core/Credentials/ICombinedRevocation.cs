namespace AgentAccessBroker.Credentials;

/// <summary>
/// Optional capability of an <see cref="ICredentialProvider"/> that can revoke and then verify in one operation, sharing
/// its connection and round trips (for a PostgreSQL login role: two batches on one connection instead of eight round
/// trips on two). The broker calls <see cref="RevokeAndVerifyAsync"/> instead of <see cref="ICredentialProvider.RevokeAsync"/>
/// followed by <see cref="ICredentialProvider.VerifyAsync"/>; a provider without it is called the two ways.
/// </summary>
/// <remarks>
/// Security contract: the revocation keeps every rule of <see cref="ICredentialProvider.RevokeAsync"/> (idempotent, from
/// the persisted data alone), and the verification reads the outside system's state after the revocation's every step,
/// as <see cref="ICredentialProvider.VerifyAsync"/> would: its result says revoked only when the outside system shows the
/// access gone, never because the revocation's statements succeeded.
/// </remarks>
public interface ICombinedRevocation
{
    /// <summary>Revokes as <see cref="ICredentialProvider.RevokeAsync"/>, then returns what <see cref="ICredentialProvider.VerifyAsync"/> would.</summary>
    Task<VerificationResult> RevokeAndVerifyAsync(RevocationRequest request, CancellationToken cancellationToken);
}
