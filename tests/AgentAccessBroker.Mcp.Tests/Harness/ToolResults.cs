using ModelContextProtocol.Protocol;

namespace AgentAccessBroker.Mcp.Tests.Harness;

/// <summary>Reads tool results the way an agent does: as text.</summary>
internal static class ToolResults
{
    public static string Text(this CallToolResult result) =>
        string.Join('\n', result.Content.OfType<TextContentBlock>().Select(b => b.Text));

    /// <summary>The value after <c>name: </c> or <c>name=</c> at the start of a line of a grant (e.g. <c>connection_string</c>).</summary>
    public static string Field(this CallToolResult result, string name)
    {
        foreach (var line in result.Text().Split('\n').Select(l => l.Trim()))
        {
            if (line.StartsWith(name + ": ", StringComparison.Ordinal))
            {
                return line[(name.Length + 2)..];
            }

            if (line.StartsWith(name + "=", StringComparison.Ordinal))
            {
                return line[(name.Length + 1)..];
            }
        }

        throw new Xunit.Sdk.XunitException($"No '{name}' line in the tool result:\n{result.Text()}");
    }

    /// <summary>The first token after <paramref name="prefix"/> (ids like <c>req_…</c> or <c>ls_…</c>), trimmed of punctuation.</summary>
    public static string IdAfter(this CallToolResult result, string prefix)
    {
        var text = result.Text();
        var at = text.IndexOf(prefix, StringComparison.Ordinal);
        Assert.True(at >= 0, $"'{prefix}' not in the tool result:\n{text}");
        return new string(text[(at + prefix.Length)..].TakeWhile(c => char.IsLetterOrDigit(c) || c is '_' or '-').ToArray());
    }

    public static IReadOnlyDictionary<string, object?> Args(params (string Name, object? Value)[] pairs) =>
        pairs.ToDictionary(p => p.Name, p => p.Value);
}
