namespace AgentAccessBroker.Policy.Loading;

/// <summary>Where a node starts in the policy file (1-based line and column).</summary>
internal readonly record struct SourceSpan(int Line, int Column);

/// <summary>A parsed YAML node that remembers where it was written, so every problem can point at its line.</summary>
internal abstract class YamlTreeNode(SourceSpan at)
{
    public SourceSpan At { get; } = at;

    public abstract string Kind { get; }
}

internal sealed class YamlTreeScalar(SourceSpan at, string value, bool isPlain) : YamlTreeNode(at)
{
    public string Value { get; } = value;

    /// <summary>An unquoted empty value, <c>~</c> or <c>null</c>: YAML's null, which the loader treats as "not given".</summary>
    public bool IsNull { get; } = isPlain && value is "" or "~" or "null" or "Null" or "NULL";

    public override string Kind => "a scalar value";
}

internal sealed class YamlTreeSequence(SourceSpan at, IReadOnlyList<YamlTreeNode> items) : YamlTreeNode(at)
{
    public IReadOnlyList<YamlTreeNode> Items { get; } = items;

    public override string Kind => "a list";
}

internal sealed class YamlTreeMapping(SourceSpan at, IReadOnlyList<KeyValuePair<YamlTreeScalar, YamlTreeNode>> entries) : YamlTreeNode(at)
{
    public IReadOnlyList<KeyValuePair<YamlTreeScalar, YamlTreeNode>> Entries { get; } = entries;

    public override string Kind => "a mapping";
}
