namespace AgentAccessBroker.Credentials;

/// <summary>
/// Optional capability of an <see cref="ICredentialProvider"/> whose credential outlives its revocation: revocation
/// makes the credential useless (an AWS deny-policy entry, a deleted Azure role assignment) while the credential itself
/// stays valid until it expires, so the access comes back if what revoked it is undone (a late write of an older deny
/// policy, an assignment created again). The broker re-verifies such revoked leases periodically, from the lease row
/// alone and on any node, until <see cref="UsableUntil"/>, and revokes again (audited as
/// <c>revocation.access_returned</c>) when a verification finds the access back.
/// </summary>
/// <remarks>
/// Security contract: computed from the persisted revocation data alone, without I/O. When in doubt, answer later rather
/// than earlier: a later moment costs a few more verifications, an earlier one leaves a usable credential unwatched.
/// </remarks>
public interface IRevokedCredentialLifetime
{
    /// <summary>
    /// Until when the credential of <paramref name="request"/> could still be used if its revocation were undone; null
    /// when revocation destroyed the credential itself (nothing to watch).
    /// </summary>
    DateTimeOffset? UsableUntil(RevocationRequest request);
}
