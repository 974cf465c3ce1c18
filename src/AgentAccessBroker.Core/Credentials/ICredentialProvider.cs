namespace AgentAccessBroker.Credentials;

/// <summary>
/// One kind of just-in-time credential (a PostgreSQL login role, an AWS STS session, an Azure role assignment).
/// </summary>
/// <remarks>
/// Security contract:
/// <list type="bullet">
/// <item><see cref="Plan"/> is called and its result persisted <em>before</em> <see cref="MintAsync"/> touches the outside
/// system, so a crash mid-mint leaves a row from which <see cref="RevokeAsync"/> can undo whatever was created.</item>
/// <item><see cref="MintAsync"/> creates access no broader than <see cref="MintRequest.Resources"/> ×
/// <see cref="MintRequest.Actions"/>, ending no later than <see cref="MintRequest.NotAfter"/>.</item>
/// <item><see cref="RevokeAsync"/> works hours later, on another node, from the persisted revocation data alone, and is
/// idempotent: revoking what is already gone succeeds.</item>
/// <item>Nothing secret is placed in revocation data, exception messages or logs.</item>
/// <item>Caller errors are thrown as <see cref="CredentialRequestException"/> (the request cannot succeed as asked);
/// anything else is an infrastructure fault that may be retried.</item>
/// </list>
/// </remarks>
public interface ICredentialProvider
{
    /// <summary>The connector name policy targets use (<c>connector: postgresql</c>).</summary>
    string Name { get; }

    /// <summary>Checks a target's settings when the policy is loaded. Returns one problem per bad key.</summary>
    IReadOnlyList<TargetSettingProblem> ValidateTarget(TargetSettings target);

    /// <summary>
    /// Checks, without I/O, that <paramref name="request"/>'s actions are in this connector's vocabulary and its
    /// resources in its syntax, throwing <see cref="CredentialRequestException"/> that names what is allowed. The broker
    /// calls it when a request arrives, before the analyzer scores it and before any human sees it, so that a request a
    /// human can approve is always mintable as asked. The lease id in <paramref name="request"/> is a placeholder.
    /// The default accepts everything.
    /// </summary>
    void CheckRequest(MintRequest request)
    {
    }

    /// <summary>Computes, without I/O, the revocation data for a lease that is about to be minted.</summary>
    RevocationData Plan(MintRequest request);

    /// <summary>
    /// Creates the credential. Returns it together with the final revocation data. A provider with costly local work
    /// that the broker may overlap with the lease row's write implements <see cref="IMintPreparer"/> as well.
    /// </summary>
    Task<MintResult> MintAsync(MintRequest request, RevocationData plan, CancellationToken cancellationToken);

    /// <summary>Removes the access. Idempotent. Must not require anything but the request's persisted data.</summary>
    Task RevokeAsync(RevocationRequest request, CancellationToken cancellationToken);

    /// <summary>Proves the access is gone (for example: login fails and no session is live).</summary>
    Task<VerificationResult> VerifyAsync(RevocationRequest request, CancellationToken cancellationToken);
}
