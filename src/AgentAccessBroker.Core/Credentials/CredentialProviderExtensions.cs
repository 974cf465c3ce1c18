namespace AgentAccessBroker.Credentials;

public static class CredentialProviderExtensions
{
    /// <summary>Prepares and mints in one call, for callers with nothing to overlap the preparation with.</summary>
    public static Task<MintResult> MintAsync(this ICredentialProvider provider, MintRequest request, RevocationData plan, CancellationToken cancellationToken) =>
        provider.MintAsync(request, plan, provider.Prepare(request.Target), cancellationToken);
}
