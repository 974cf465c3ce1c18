using AgentAccessBroker.Domain;

namespace AgentAccessBroker.Policy;

/// <summary>A catalogue entry: a resource name or glob (<c>*</c> matches any run of characters) and how sensitive it is.</summary>
/// <param name="Tags">Data tags such as <c>pii</c>, <c>secrets</c>, <c>financial</c>.</param>
public sealed record ResourcePolicy(
    string Pattern,
    Sensitivity Sensitivity,
    string Environment,
    IReadOnlyList<string> Tags,
    string? Description)
{
    /// <summary>Longer literal prefixes are more specific; an exact name beats any glob.</summary>
    public int Specificity => Pattern.Contains('*', StringComparison.Ordinal) ? Pattern.Replace("*", string.Empty, StringComparison.Ordinal).Length : int.MaxValue;

    public bool Matches(string resource) => GlobMatches(Pattern, resource);

    internal static bool GlobMatches(string pattern, string value)
    {
        // Iterative glob with backtracking over the last '*': linear in practice, no regex, no catastrophic cases.
        int p = 0, v = 0, starP = -1, starV = 0;
        while (v < value.Length)
        {
            if (p < pattern.Length && pattern[p] == '*')
            {
                starP = p++;
                starV = v;
            }
            else if (p < pattern.Length && pattern[p] == value[v])
            {
                p++;
                v++;
            }
            else if (starP >= 0)
            {
                p = starP + 1;
                v = ++starV;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }
}
