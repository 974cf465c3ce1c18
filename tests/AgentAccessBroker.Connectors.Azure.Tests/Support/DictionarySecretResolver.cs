using AgentAccessBroker.Credentials;

namespace AgentAccessBroker.Connectors.Azure.Tests.Support;

/// <summary>Resolves environment references from a dictionary, so parallel tests do not share process variables.</summary>
internal sealed class DictionarySecretResolver(IReadOnlyDictionary<string, string> values) : ISecretResolver
{
    public string Resolve(SecretReference reference) =>
        reference.Source == SecretSource.Environment && values.TryGetValue(reference.Location, out var value)
            ? value
            : throw new InvalidOperationException($"Secret {reference} is not set.");
}
