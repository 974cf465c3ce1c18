namespace AgentAccessBroker.Policy.Loading;

/// <summary>A mapping whose keys were checked against the schema; lookups treat a YAML null value as an absent key.</summary>
internal sealed class YamlObject(YamlTreeMapping mapping, string path)
{
    public SourceSpan At => mapping.At;

    /// <summary>Where this mapping sits in the file, as a path for messages (<c>targets[0].settings</c>).</summary>
    public string Path { get; } = path;

    public YamlTreeNode? this[string key]
    {
        get
        {
            var value = Entry(key)?.Value;
            return value is YamlTreeScalar { IsNull: true } ? null : value;
        }
    }

    /// <summary>Where the key was written, or the mapping when it is absent.</summary>
    public SourceSpan KeyAt(string key) => Entry(key)?.Key.At ?? At;

    /// <summary>True when the key is written, even with a null value.</summary>
    public bool Has(string key) => Entry(key) is not null;

    public string PathOf(string key) => Path.Length == 0 ? key : $"{Path}.{key}";

    private KeyValuePair<YamlTreeScalar, YamlTreeNode>? Entry(string key)
    {
        foreach (var entry in mapping.Entries)
        {
            if (string.Equals(entry.Key.Value, key, StringComparison.Ordinal))
            {
                return entry;
            }
        }

        return null;
    }
}
