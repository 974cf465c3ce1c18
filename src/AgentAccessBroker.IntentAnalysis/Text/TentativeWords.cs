using System.Text.RegularExpressions;

namespace AgentAccessBroker.IntentAnalysis.Text;

/// <summary>Words that make a purpose a guess rather than a need ("maybe", "might", "just in case", "later").</summary>
internal static partial class TentativeWords
{
    /// <summary>The first tentative word or phrase of the text, or null.</summary>
    public static string? Find(string? text) => FirstMatch.Of(Pattern(), text);

    [GeneratedRegex(@"\b(?:maybe|might|perhaps|possibly|just in case|in case|could (?:help|be useful|come in handy)|may (?:help|be useful|come in handy)|later)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
