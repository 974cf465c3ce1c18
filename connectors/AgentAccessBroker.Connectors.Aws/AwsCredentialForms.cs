using System.Text.Json;
using AgentAccessBroker.Credentials;
using StsCredentials = Amazon.SecurityToken.Model.Credentials;

namespace AgentAccessBroker.Connectors.Aws;

/// <summary>STS credentials in the shapes the aws CLI and the SDKs read as they are.</summary>
internal static class AwsCredentialForms
{
    public const string Kind = "aws-sts-session";
    public const string CredentialProcessForm = "credential_process";

    public static IssuedCredential Create(StsCredentials credentials, string region, DateTimeOffset expiresAt)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["AWS_ACCESS_KEY_ID"] = credentials.AccessKeyId,
            ["AWS_SECRET_ACCESS_KEY"] = credentials.SecretAccessKey,
            ["AWS_SESSION_TOKEN"] = credentials.SessionToken,
            ["AWS_REGION"] = region,
            ["AWS_DEFAULT_REGION"] = region,
        };

        // The credential_process output format (Version 1): what `credential_process = <command>` must print.
        var process = JsonSerializer.Serialize(
            new CredentialProcessOutput(1, credentials.AccessKeyId, credentials.SecretAccessKey, credentials.SessionToken, AwsRevocationData.Format(expiresAt)));

        return new IssuedCredential(Kind, environment, new Dictionary<string, string>(StringComparer.Ordinal) { [CredentialProcessForm] = process });
    }

    private sealed record CredentialProcessOutput(int Version, string AccessKeyId, string SecretAccessKey, string SessionToken, string Expiration);
}
