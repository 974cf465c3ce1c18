namespace AgentAccessBroker.Credentials;

/// <summary>Non-secret values that let a lease be revoked later, anywhere, from the database row alone.</summary>
public sealed record RevocationData(IReadOnlyDictionary<string, string> Values)
{
    public static RevocationData Of(params (string Key, string Value)[] values) =>
        new(values.ToDictionary(v => v.Key, v => v.Value, StringComparer.Ordinal));

    public string Require(string key) =>
        Values.TryGetValue(key, out var value) ? value : throw new InvalidOperationException($"Revocation data has no '{key}'.");

    public string? Get(string key) => Values.TryGetValue(key, out var value) ? value : null;

    public RevocationData With(string key, string value)
    {
        var copy = new Dictionary<string, string>(Values, StringComparer.Ordinal) { [key] = value };
        return new RevocationData(copy);
    }
}
