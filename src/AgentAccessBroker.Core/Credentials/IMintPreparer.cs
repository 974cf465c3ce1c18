namespace AgentAccessBroker.Credentials;

/// <summary>
/// Optional capability of an <see cref="ICredentialProvider"/> whose mint has costly local work that depends on the
/// target alone (for a PostgreSQL login role: its password and the SCRAM verifier derived from it, 3–6 ms of CPU).
/// The broker runs <see cref="Prepare"/> beside the durable write of the lease row and its revocation trigger, then
/// mints with <see cref="MintPreparedAsync"/>; a provider without it does all its work in
/// <see cref="ICredentialProvider.MintAsync"/>.
/// </summary>
/// <remarks>
/// Security contract: <see cref="Prepare"/> does local work only: it neither calls nor changes the outside system and
/// depends on no request, so it may run before the lease row is durable and be dropped unused. Its result is handed to
/// exactly one <see cref="MintPreparedAsync"/>, which keeps every rule of <see cref="ICredentialProvider.MintAsync"/>.
/// What it returns may hold the credential's secret before the credential exists, so it never prints one.
/// </remarks>
public interface IMintPreparer
{
    /// <summary>The mint's local work for one credential on <paramref name="target"/>, without I/O.</summary>
    MintPreparation Prepare(TargetSettings target);

    /// <summary>As <see cref="ICredentialProvider.MintAsync"/>, with what <see cref="Prepare"/> returned for the request's target.</summary>
    Task<MintResult> MintPreparedAsync(MintRequest request, RevocationData plan, MintPreparation prepared, CancellationToken cancellationToken);
}
