namespace AgentAccessBroker.Credentials;

/// <summary>A policy target's connection settings, with secrets still given by reference.</summary>
/// <param name="Name">The target's name in the policy.</param>
/// <param name="Settings">Plain settings (host, role ARN, subscription id...).</param>
/// <param name="SecretReferences">Secret settings by reference, resolved only when used (see <see cref="ISecretResolver"/>).</param>
public sealed record TargetSettings(
    string Name,
    string Connector,
    IReadOnlyDictionary<string, string> Settings,
    IReadOnlyDictionary<string, SecretReference> SecretReferences)
{
    public string? Get(string key) => Settings.TryGetValue(key, out var value) ? value : null;

    public string Require(string key) =>
        Get(key) ?? throw new InvalidOperationException($"Target '{Name}' has no setting '{key}'.");
}
