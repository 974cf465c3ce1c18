using System.Text.RegularExpressions;

namespace AgentAccessBroker.IntentAnalysis.Text;

/// <summary>The one way the phrase readers of this folder report what they found: the first match's text, or null.</summary>
internal static class FirstMatch
{
    /// <summary>The text of <paramref name="pattern"/>'s first match in <paramref name="text"/>, trimmed, or null (also for null or empty text).</summary>
    public static string? Of(Regex pattern, string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        var match = pattern.Match(text);
        return match.Success ? match.Value.Trim() : null;
    }
}
