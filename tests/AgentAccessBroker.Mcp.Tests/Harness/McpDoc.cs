using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace AgentAccessBroker.Mcp.Tests.Harness;

/// <summary>docs/MCP.md as the tests read it: its code blocks, the configurations by file name, the <c>claude mcp add</c> line.</summary>
internal static partial class McpDoc
{
    public static string Path { get; } = System.IO.Path.Combine(RepositoryRoot(), "docs", "MCP.md");

    public static string Text => File.ReadAllText(Path);

    public static IReadOnlyList<string> Blocks(string language) =>
        CodeBlock().Matches(Text).Where(m => m.Groups["lang"].Value == language).Select(m => m.Groups["body"].Value).ToList();

    /// <summary>The JSON block introduced by the line <c>label:</c>, e.g. <c>`.cursor/mcp.json`:</c>.</summary>
    public static JsonObject Config(string label)
    {
        var matches = LabelledJson().Matches(Text).Where(m => m.Groups["label"].Value == label).ToList();
        Assert.True(matches.Count == 1, $"expected one JSON block labelled {label} in {Path}, found {matches.Count}");
        return JsonNode.Parse(matches[0].Groups["body"].Value)!.AsObject();
    }

    /// <summary>The arguments of the documented <c>claude mcp add</c> command, split the way a POSIX shell splits them.</summary>
    public static IReadOnlyList<string> ClaudeMcpAdd()
    {
        var command = Assert.Single(Blocks("sh"), b => b.Contains("claude mcp add", StringComparison.Ordinal));
        return ShellWords(command.Replace("\\\n", " ", StringComparison.Ordinal));
    }

    /// <summary>Claude Code's expansion in .mcp.json: <c>${VAR}</c> and <c>${VAR:-default}</c>.</summary>
    public static string ExpandLikeClaudeCode(string value, IReadOnlyDictionary<string, string> environment) =>
        Placeholder().Replace(value, m => environment.TryGetValue(m.Groups["name"].Value, out var set) && set.Length > 0
            ? set
            : m.Groups["default"].Success ? m.Groups["default"].Value : m.Value);

    private static List<string> ShellWords(string line)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        var inWord = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (c == '\'')
            {
                var end = line.IndexOf('\'', i + 1);
                word.Append(line, i + 1, end - i - 1);
                i = end;
                inWord = true;
            }
            else if (char.IsWhiteSpace(c))
            {
                if (inWord)
                {
                    words.Add(word.ToString());
                    word.Clear();
                    inWord = false;
                }
            }
            else
            {
                word.Append(c);
                inWord = true;
            }
        }

        if (inWord)
        {
            words.Add(word.ToString());
        }

        return words;
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "AgentAccessBroker.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No AgentAccessBroker.sln above {AppContext.BaseDirectory}.");
    }

    [GeneratedRegex(@"^```(?<lang>\w*)\n(?<body>.*?)^```", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex CodeBlock();

    [GeneratedRegex(@"^(?<label>`[^`]+`[^\n]*):\n\n```json\n(?<body>.*?)^```", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex LabelledJson();

    [GeneratedRegex(@"\$\{(?<name>[A-Za-z_][A-Za-z0-9_]*)(:-(?<default>[^}]*))?\}")]
    private static partial Regex Placeholder();
}
