using System.Globalization;

namespace AgentAccessBroker.Policy.Loading;

/// <summary>
/// Typed reads of YAML values that report, rather than throw, when a value has the wrong shape. Every method returns
/// null (or an empty list) after reporting, so a caller carries on and the next problem is found too.
/// </summary>
internal sealed class YamlSchemaReader(ProblemSink problems)
{
    public ProblemSink Problems { get; } = problems;

    /// <summary>Reads a mapping and reports every key not in <paramref name="allowedKeys"/>.</summary>
    public YamlObject? Object(YamlTreeNode node, string path, params string[] allowedKeys)
    {
        if (node is not YamlTreeMapping mapping)
        {
            Problems.Report(node.At, PolicyProblemCodes.WrongType, $"{Describe(path)} must be a mapping, not {node.Kind}");
            return null;
        }

        foreach (var (key, _) in mapping.Entries)
        {
            if (!allowedKeys.Contains(key.Value, StringComparer.Ordinal))
            {
                Problems.Report(key.At, PolicyProblemCodes.UnknownKey, UnknownKeyMessage(key.Value, path, allowedKeys));
            }
        }

        return new YamlObject(mapping, path);
    }

    /// <summary>The items of an optional list; absent or null is an empty list.</summary>
    public IReadOnlyList<(YamlTreeNode Item, string Path)> List(YamlObject owner, string key)
    {
        switch (owner[key])
        {
            case null:
                return [];
            case YamlTreeSequence sequence:
                return [.. sequence.Items.Select((item, i) => (item, $"{owner.PathOf(key)}[{i}]"))];
            case var other:
                Problems.Report(other.At, PolicyProblemCodes.WrongType, $"'{owner.PathOf(key)}' must be a list, not {other.Kind}");
                return [];
        }
    }

    public IReadOnlyList<Located<string>> StringList(YamlObject owner, string key)
    {
        var values = new List<Located<string>>();
        foreach (var (item, path) in List(owner, key))
        {
            if (ScalarText(item, path) is { } text)
            {
                values.Add(text);
            }
        }

        return values;
    }

    public Located<string>? RequiredString(YamlObject owner, string key)
    {
        if (!owner.Has(key))
        {
            Problems.Report(owner.At, PolicyProblemCodes.MissingKey, $"{Describe(owner.Path)} needs '{key}'");
            return null;
        }

        if (owner[key] is not { } node)
        {
            Problems.Report(owner.KeyAt(key), PolicyProblemCodes.EmptyValue, $"'{owner.PathOf(key)}' has no value");
            return null;
        }

        return ScalarText(node, owner.PathOf(key));
    }

    public Located<string>? OptionalString(YamlObject owner, string key) =>
        owner[key] is { } node ? ScalarText(node, owner.PathOf(key)) : null;

    /// <summary>An integer, or <paramref name="fallback"/> located at the owner when the key is absent.</summary>
    public Located<int>? Integer(YamlObject owner, string key, int fallback)
    {
        if (owner[key] is not { } node)
        {
            return new(fallback, owner.At);
        }

        if (ScalarText(node, owner.PathOf(key)) is not { } text)
        {
            return null;
        }

        if (!int.TryParse(text.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            Problems.Report(text.At, PolicyProblemCodes.InvalidInteger, $"'{owner.PathOf(key)}' must be a whole number, not '{text.Value}'");
            return null;
        }

        return new(value, text.At);
    }

    /// <summary>A duration, or <paramref name="fallback"/> located at the owner when the key is absent.</summary>
    public Located<TimeSpan>? Duration(YamlObject owner, string key, TimeSpan fallback)
    {
        if (owner[key] is not { } node)
        {
            return new(fallback, owner.At);
        }

        if (ScalarText(node, owner.PathOf(key)) is not { } text)
        {
            return null;
        }

        if (!PolicyDuration.TryParse(text.Value, out var value))
        {
            Problems.Report(
                text.At,
                PolicyProblemCodes.InvalidDuration,
                $"'{owner.PathOf(key)}' must be a duration such as 90s, 30m, 2h30m or 1d, not '{text.Value}'");
            return null;
        }

        return new(value, text.At);
    }

    /// <summary>One of a fixed set of words; null when absent (reported as missing when <paramref name="required"/>).</summary>
    public TEnum? Word<TEnum>(YamlObject owner, string key, bool required, string code, IReadOnlyList<KeyValuePair<string, TEnum>> words)
        where TEnum : struct, Enum
    {
        var text = required ? RequiredString(owner, key) : OptionalString(owner, key);
        if (text is null)
        {
            return null;
        }

        foreach (var (word, value) in words)
        {
            if (string.Equals(word, text.Value, StringComparison.Ordinal))
            {
                return value;
            }
        }

        Problems.Report(
            text.At,
            code,
            $"'{owner.PathOf(key)}' must be one of {string.Join(", ", words.Select(w => w.Key))}, not '{text.Value}'");
        return null;
    }

    /// <summary>A non-empty scalar's text.</summary>
    public Located<string>? ScalarText(YamlTreeNode node, string path)
    {
        if (node is not YamlTreeScalar scalar)
        {
            Problems.Report(node.At, PolicyProblemCodes.WrongType, $"'{path}' must be a single value, not {node.Kind}");
            return null;
        }

        if (scalar.IsNull || string.IsNullOrWhiteSpace(scalar.Value))
        {
            Problems.Report(scalar.At, PolicyProblemCodes.EmptyValue, $"'{path}' has no value");
            return null;
        }

        return new(scalar.Value, scalar.At);
    }

    private static string Describe(string path) => path.Length == 0 ? "the policy" : $"'{path}'";

    private static string UnknownKeyMessage(string key, string path, string[] allowedKeys)
    {
        var where = path.Length == 0 ? "at the top level" : $"in '{path}'";
        var closest = allowedKeys.MinBy(k => EditDistance(k, key));
        var hint = closest is not null && EditDistance(closest, key) <= Math.Max(2, key.Length / 3) ? $"did you mean '{closest}'? " : string.Empty;
        return $"unknown key '{key}' {where}; {hint}allowed keys: {string.Join(", ", allowedKeys)}";
    }

    private static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j], current[j - 1]) + 1);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
