namespace AgentAccessBroker.Credentials;

/// <summary>Selects a credential provider by the connector name a policy target declares.</summary>
public sealed class CredentialProviderRegistry
{
    private readonly Dictionary<string, ICredentialProvider> _providers;

    public CredentialProviderRegistry(IEnumerable<ICredentialProvider> providers)
    {
        _providers = new Dictionary<string, ICredentialProvider>(StringComparer.OrdinalIgnoreCase);
        foreach (var provider in providers)
        {
            if (!_providers.TryAdd(provider.Name, provider))
            {
                throw new InvalidOperationException($"Two credential providers are named '{provider.Name}'.");
            }
        }
    }

    public IReadOnlyCollection<string> Names => _providers.Keys;

    public bool TryGet(string name, out ICredentialProvider provider) => _providers.TryGetValue(name, out provider!);

    public ICredentialProvider Get(string name) =>
        TryGet(name, out var provider) ? provider : throw new InvalidOperationException($"No credential provider is named '{name}'.");
}
