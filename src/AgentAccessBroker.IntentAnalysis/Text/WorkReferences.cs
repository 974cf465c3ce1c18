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

    [GeneratedRegex(@"(?<![\w#])#\d{1,7}\b", RegexOptions.CultureInvariant)]
    private static partial Regex Reference();
}
