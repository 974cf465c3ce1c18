using System.Text.Json;
using AgentAccessBroker.Credentials;

namespace AgentAccessBroker.Brokering;

/// <summary>
/// Keeps a copy of a target's settings (secret <em>references</em>, never secret values) in the lease's revocation data,
/// so a lease can still be revoked after its target was edited out of the policy.
/// </summary>
internal static class TargetSnapshot
{
    public const string Key = "aab.target";

    public static IReadOnlyDictionary<string, string> Attach(RevocationData data, TargetSettings target)
    {
        var snapshot = new Snapshot(target.Name, target.Connector, target.Settings.ToDictionary(),
            target.SecretReferences.ToDictionary(kv => kv.Key, kv => kv.Value.ToString()));
        return data.With(Key, JsonSerializer.Serialize(snapshot)).Values;
    }

    /// <summary>The settings the lease was minted with, and the provider's own revocation data without the snapshot.</summary>
    public static (TargetSettings? Target, RevocationData Data) Detach(IReadOnlyDictionary<string, string> values)
    {
        var data = new RevocationData(values.Where(kv => kv.Key != Key).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal));
        if (!values.TryGetValue(Key, out var json) || JsonSerializer.Deserialize<Snapshot>(json) is not { } snapshot)
        {
            return (null, data);
        }

        var references = snapshot.SecretReferences.ToDictionary(kv => kv.Key, kv => Parse(kv.Value));
        return (new TargetSettings(snapshot.Name, snapshot.Connector, snapshot.Settings, references), data);
    }

    private static SecretReference Parse(string value)
    {
        var colon = value.IndexOf(':', StringComparison.Ordinal);
        var source = value[..colon] == "file" ? SecretSource.File : SecretSource.Environment;
        return new SecretReference(source, value[(colon + 1)..]);
    }

    private sealed record Snapshot(string Name, string Connector, Dictionary<string, string> Settings, Dictionary<string, string> SecretReferences);
}
