using System.Globalization;
using System.Text.Json.Nodes;
using AgentAccessBroker.Credentials;
using Azure.Core;

namespace AgentAccessBroker.Connectors.Azure;

/// <summary>The ready-to-use forms handed to the agent.</summary>
internal static class AzureIssuedCredentials
{
    public const string TokenKind = "azure-access-token";
    public const string SecretKind = "azure-client-secret";

    // No AZURE_SUBSCRIPTION_ID variable: every value of an issued credential is treated as secret and kept out of
    // revocation data, which holds the scopes (and so the subscription). The JSON forms carry the subscription.

    /// <summary>
    /// An ARM access token, also in the JSON shape <c>az account get-access-token</c> prints, so tools that read that
    /// output can consume it. <c>expires_on</c> (POSIX seconds) is the authoritative expiry; <c>expiresOn</c> is given
    /// in UTC because the broker does not know the agent's time zone.
    /// </summary>
    public static IssuedCredential ForToken(AzureTarget target, AccessToken token)
    {
        var json = new JsonObject
        {
            ["accessToken"] = token.Token,
            ["expiresOn"] = token.ExpiresOn.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture),
            ["expires_on"] = token.ExpiresOn.ToUnixTimeSeconds(),
            ["subscription"] = target.SubscriptionId,
            ["tenant"] = target.TenantId,
            ["tokenType"] = "Bearer",
        };
        return new IssuedCredential(
            TokenKind,
            new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["AZURE_ACCESS_TOKEN"] = token.Token,
                ["AZURE_TENANT_ID"] = target.TenantId,
                ["AZURE_CLIENT_ID"] = target.ClientId,
            },
            new Dictionary<string, string>(StringComparer.Ordinal) { ["access_token"] = json.ToJsonString() });
    }

    /// <summary>
    /// An application secret, as the environment variables Azure SDKs' EnvironmentCredential reads and in the JSON
    /// shape <c>az ad sp create-for-rbac</c> prints (for <c>az login --service-principal</c>).
    /// </summary>
    public static IssuedCredential ForSecret(AzureTarget target, AddedApplicationPassword password)
    {
        var json = new JsonObject
        {
            ["appId"] = target.ClientId,
            ["password"] = password.SecretText,
            ["tenant"] = target.TenantId,
            ["subscription"] = target.SubscriptionId,
        };
        return new IssuedCredential(
            SecretKind,
            new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["AZURE_CLIENT_ID"] = target.ClientId,
                ["AZURE_CLIENT_SECRET"] = password.SecretText,
                ["AZURE_TENANT_ID"] = target.TenantId,
            },
            new Dictionary<string, string>(StringComparer.Ordinal) { ["service_principal"] = json.ToJsonString() });
    }

    public static string RevocationNote(AzureMintMode mode, IReadOnlyList<PlannedGrant> grants, DateTimeOffset credentialEnd)
    {
        var what = string.Join("; ", grants.Select(g => g.Describe()));
        var end = credentialEnd.ToString("O", CultureInfo.InvariantCulture);
        const string Caching = "subject to Azure Resource Manager's authorization caching (usually minutes, documented as up to 30 minutes)";
        return mode switch
        {
            AzureMintMode.Pim =>
                $"Access comes from PIM role assignment(s) ({what}) that PIM itself ends at the lease end; revocation asks PIM to remove them earlier (AdminRemove). "
                + $"The access token cannot be revoked and stays valid until {end} (Entra ID tokens live 60-90 minutes), but it loses these permissions once the assignment is gone, {Caching}.",
            AzureMintMode.ClientSecret =>
                $"Access comes from role assignment(s) ({what}) plus an application secret that Entra ID stops accepting at {end}. "
                + $"Revocation removes the secret (no new tokens) and deletes the assignments; tokens already obtained with the secret stay valid for up to 60-90 minutes but lose these permissions once the assignments are gone, {Caching}.",
            _ =>
                $"Access comes from role assignment(s) ({what}); revocation deletes them. "
                + $"The access token cannot be revoked and stays valid until {end} (Entra ID tokens live 60-90 minutes), but it loses these permissions once the assignment is gone, {Caching}.",
        };
    }
}
