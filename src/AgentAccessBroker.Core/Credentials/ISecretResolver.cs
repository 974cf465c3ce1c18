namespace AgentAccessBroker.Credentials;

/// <summary>Reads a referenced secret at the moment it is needed. Implementations never log the value.</summary>
public interface ISecretResolver
{
    /// <summary>Returns the secret, or throws <see cref="InvalidOperationException"/> naming the reference (not the value).</summary>
    string Resolve(SecretReference reference);
}
