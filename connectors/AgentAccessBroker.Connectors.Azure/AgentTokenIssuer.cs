using AgentAccessBroker.Credentials;
using Azure.Core;
using Azure.Identity;

namespace AgentAccessBroker.Connectors.Azure;

/// <summary>
/// Signs in as the agent's service principal (client secret, certificate or workload identity) and gets an ARM access
/// token. A new credential per mint: nothing of one agent's sign-in is cached for another lease.
/// </summary>
internal sealed class AgentTokenIssuer(ISecretResolver secrets, AzureConnectorOptions options)
{
    public async Task<AccessToken> GetManagementTokenAsync(AzureTarget target, CancellationToken cancellationToken)
    {
        var credential = Create(target);
        try
        {
            return await credential.GetTokenAsync(new TokenRequestContext([AzureEndpoints.ArmScope]), cancellationToken).ConfigureAwait(false);
        }
        catch (AuthenticationFailedException ex)
        {
            throw new InvalidOperationException(
                $"Entra ID did not issue an ARM token to the agent service principal {target.ClientId} in tenant {target.TenantId}; check the target's {Describe(target.AgentCredential)}.",
                ex);
        }
    }

    private TokenCredential Create(AzureTarget target) => target.AgentCredential switch
    {
        AgentCredentialSource.Secret secret => new ClientSecretCredential(
            target.TenantId, target.ClientId, secrets.Resolve(secret.Reference), Configure(target, new ClientSecretCredentialOptions { DisableInstanceDiscovery = target.Endpoints.IsCustomLogin })),
        AgentCredentialSource.Certificate certificate => new ClientCertificateCredential(
            target.TenantId, target.ClientId, certificate.Path, Configure(target, new ClientCertificateCredentialOptions { DisableInstanceDiscovery = target.Endpoints.IsCustomLogin })),
        AgentCredentialSource.WorkloadIdentity workload => new WorkloadIdentityCredential(Configure(target, new WorkloadIdentityCredentialOptions
        {
            TenantId = target.TenantId,
            ClientId = target.ClientId,
            TokenFilePath = workload.TokenFilePath,
            DisableInstanceDiscovery = target.Endpoints.IsCustomLogin,
        })),
        _ => throw new InvalidOperationException($"Azure target for client {target.ClientId} has no agent credential; mode {target.Mode} needs one."),
    };

    private T Configure<T>(AzureTarget target, T credentialOptions)
        where T : TokenCredentialOptions
    {
        credentialOptions.AuthorityHost = target.Endpoints.Login;
        credentialOptions.Retry.MaxRetries = options.MaxRetries;
        credentialOptions.Retry.NetworkTimeout = options.NetworkTimeout;
        credentialOptions.Diagnostics.IsLoggingContentEnabled = false;
        if (options.Transport is not null)
        {
            credentialOptions.Transport = options.Transport;
        }

        return credentialOptions;
    }

    private static string Describe(AgentCredentialSource? source) => source switch
    {
        AgentCredentialSource.Secret => AzureTarget.ClientSecretKey,
        AgentCredentialSource.Certificate => AzureTarget.ClientCertificatePathKey,
        AgentCredentialSource.WorkloadIdentity => AzureTarget.WorkloadIdentityTokenFileKey,
        _ => "credential",
    };
}
