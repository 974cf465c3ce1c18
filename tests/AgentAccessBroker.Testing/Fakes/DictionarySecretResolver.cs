using AgentAccessBroker.Credentials;

namespace AgentAccessBroker.Testing.Fakes;

public sealed class DictionarySecretResolver(IReadOnlyDictionary<string, string> secrets) : ISecretResolver
{
    public int Resolutions { get; private set; }

    public string Resolve(SecretReference reference)
    {
        Resolutions++;
        return secrets.TryGetValue(reference.ToString(), out var value)
            ? value
            : throw new InvalidOperationException($"Secret {reference} is not set.");
    }
}
