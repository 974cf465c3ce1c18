using System.Collections.Concurrent;
using AgentAccessBroker.Credentials;

namespace AgentAccessBroker.Connectors.PostgreSql.Tests.Support;

/// <summary>Secrets held in memory for tests, resolved by reference the way the broker's resolver does.</summary>
internal sealed class DictionarySecretResolver : ISecretResolver
{
    private readonly ConcurrentDictionary<SecretReference, string> _secrets = new();

    public SecretReference Add(string password)
    {
        var reference = new SecretReference(SecretSource.Environment, "AAB_TEST_PG_" + Guid.NewGuid().ToString("N"));
        _secrets[reference] = password;
        return reference;
    }

    public string Resolve(SecretReference reference) =>
        _secrets.TryGetValue(reference, out var value) ? value : throw new InvalidOperationException($"Secret {reference} is not set.");
}
