using AgentAccessBroker.Credentials;

namespace AgentAccessBroker.IntentAnalysis.Tests.Review;

internal sealed class DictionarySecretResolver(Dictionary<string, string> secrets) : ISecretResolver
{
    public string Resolve(SecretReference reference) =>
        secrets.TryGetValue(reference.Location, out var value) ? value : throw new InvalidOperationException($"no secret at {reference}");
}
