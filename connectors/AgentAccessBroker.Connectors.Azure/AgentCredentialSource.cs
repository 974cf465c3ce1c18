using AgentAccessBroker.Credentials;

namespace AgentAccessBroker.Connectors.Azure;

/// <summary>How the agent's service principal proves itself to Entra ID. Holds references, never the secret.</summary>
internal abstract record AgentCredentialSource
{
    private AgentCredentialSource()
    {
    }

    public sealed record Secret(SecretReference Reference) : AgentCredentialSource;

    public sealed record Certificate(string Path) : AgentCredentialSource;

    public sealed record WorkloadIdentity(string TokenFilePath) : AgentCredentialSource;
}
