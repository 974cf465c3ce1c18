using System.Text.RegularExpressions;

namespace AgentAccessBroker.Connectors.GitHub;

/// <summary>
/// GitHub App permissions with their levels (<c>contents:write</c>), one level per permission. Levels are ordered
/// read &lt; write &lt; admin: a permission granted at write also reads.
/// </summary>
internal sealed partial class GitHubPermissions
{
    public static readonly GitHubPermissions Empty = new(new SortedDictionary<string, string>(StringComparer.Ordinal));

    private static readonly string[] Levels = ["read", "write", "admin"];

    private GitHubPermissions(SortedDictionary<string, string> levels) => ByName = levels;

    /// <summary>Permission name to level, sorted by name.</summary>
    public IReadOnlyDictionary<string, string> ByName { get; }

    public int Count => ByName.Count;

    /// <summary>Parses <c>name:level</c> actions; a permission asked at two levels counts at the higher one.</summary>
    public static bool TryParse(IEnumerable<string> actions, out GitHubPermissions permissions, out string error)
    {
        var levels = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var action in actions)
        {
            var match = ActionPattern().Match(action);
            if (!match.Success)
            {
                permissions = Empty;
                error = $"'{Text.UntrustedText.Excerpt(action)}' is not a GitHub App permission with a level (permission:read, permission:write or permission:admin, such as contents:write).";
                return false;
            }

            var name = match.Groups["name"].Value;
            var level = match.Groups["level"].Value;
            if (!levels.TryGetValue(name, out var existing) || Rank(level) > Rank(existing))
            {
                levels[name] = level;
            }
        }

        permissions = new GitHubPermissions(levels);
        error = string.Empty;
        return true;
    }

    /// <summary>The permissions of this set that <paramref name="allowed"/> does not cover, as <c>name:level</c>.</summary>
    public IReadOnlyList<string> NotCoveredBy(GitHubPermissions allowed) =>
        [.. ByName.Where(p => !allowed.ByName.TryGetValue(p.Key, out var max) || Rank(p.Value) > Rank(max)).Select(p => $"{p.Key}:{p.Value}")];

    public override string ToString() => string.Join(",", ByName.Select(p => $"{p.Key}:{p.Value}"));

    private static int Rank(string level) => Array.IndexOf(Levels, level);

    [GeneratedRegex("^(?<name>[a-z][a-z_]{0,63}):(?<level>read|write|admin)$")]
    private static partial Regex ActionPattern();
}
