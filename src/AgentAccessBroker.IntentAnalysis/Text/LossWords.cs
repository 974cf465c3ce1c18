using System.Text.RegularExpressions;

namespace AgentAccessBroker.IntentAnalysis.Text;

/// <summary>
/// Words of a task that say nothing may be lost ("no label job may be lost", "without losing any order", "do not lose
/// messages"). A short list a reviewer can read: it only tightens.
/// </summary>
internal static partial class LossWords
{
    /// <summary>The first phrase of <paramref name="text"/> that forbids losing something, or null.</summary>
    public static string? Find(string? text) => FirstMatch.Of(LossPattern(), text);

    [GeneratedRegex(@"\b(no|nothing|none|not (a|one|any)(\s+single)?)(\s+[\w-]+){0,3}?\s+(may|must|can|should|shall|is to|are to)\s+(be\s+)?(lost|dropped|discarded|purged)\b|\b(do not|don't|must not|never|without)\s+(los(e|ing)|drop(ping)?|discard(ing)?)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex LossPattern();
}
