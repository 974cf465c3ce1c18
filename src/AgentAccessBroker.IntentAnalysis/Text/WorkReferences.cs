using System.Text.RegularExpressions;

namespace AgentAccessBroker.IntentAnalysis.Text;

/// <summary>
/// References to a work item written with a hash ("PR #233", "issue #812"): a purpose that names the item its task
/// names is about that task, even when every other word it uses is a verb or a generic noun.
/// </summary>
internal static partial class WorkReferences
{
    /// <summary>The first "#number" reference both texts use, or null.</summary>
    public static string? Shared(string? purpose, string? task)
    {
        if (string.IsNullOrEmpty(purpose) || string.IsNullOrEmpty(task))
        {
            return null;
        }

        foreach (Match match in Reference().Matches(purpose))
        {
            foreach (Match other in Reference().Matches(task))
            {
                if (match.Value == other.Value)
                {
                    return match.Value;
                }
            }
        }

        return null;
    }

    /// <summary>The text speaks of a pull request ("open a PR", "the fix goes through a pull request", "merge request").</summary>
    public static bool NamesPullRequest(string? text) => !string.IsNullOrEmpty(text) && PullRequest().IsMatch(text);

    [GeneratedRegex(@"(?<![\w#])#\d{1,7}\b", RegexOptions.CultureInvariant)]
    private static partial Regex Reference();

    [GeneratedRegex(@"\b(?:pull[ -]requests?|merge requests?|PRs?)\b", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex PullRequest();
}
