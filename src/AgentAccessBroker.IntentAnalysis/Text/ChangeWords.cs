using System.Text.RegularExpressions;

namespace AgentAccessBroker.IntentAnalysis.Text;

/// <summary>
/// Words of a task that forbid changes: the whole task ("do not change anything", "report only", "Read-only: …",
/// "Read only.") or one named thing ("do not change the baselines", "must not modify the tariffs"). A short list a
/// reviewer can read: it only tightens.
/// </summary>
internal static partial class ChangeWords
{
    private static readonly string[] NoChangePhrases =
    [
        "do not change anything", "don't change anything", "dont change anything", "change nothing", "do not modify anything",
        "don't modify anything", "do not make any change", "don't make any change", "make no change", "report only",
        "do not delete anything", "don't delete anything",
    ];

    /// <summary>The phrase of <paramref name="text"/> that says nothing at all may be changed, or null.</summary>
    public static string? FindNoChange(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        foreach (var phrase in NoChangePhrases)
        {
            var at = text.IndexOf(phrase, StringComparison.OrdinalIgnoreCase);
            if (at >= 0)
            {
                return text.Substring(at, phrase.Length);
            }
        }

        var match = ReadOnlyStatement().Match(text);
        return match.Success ? match.Groups["phrase"].Value : null;
    }

    /// <summary>
    /// The things the task forbids changing by name ("do not change the baselines": "baselines"), each with the phrase
    /// that says so. Objects that say "anything" are whole-task forbiddance (<see cref="FindNoChange"/>).
    /// </summary>
    public static IReadOnlyList<(string Phrase, string Object)> FindProtectedObjects(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return [];
        }

        List<(string, string)>? found = null;
        foreach (Match match in DoNotChangePattern().Matches(text))
        {
            found ??= new List<(string, string)>(1);
            found.Add((match.Value, match.Groups["object"].Value));
        }

        return found is null ? [] : found;
    }

    // "Read-only: …", "Read only.", "Read-only analysis of …", "this task is read-only": a statement about the work, not
    // a thing to create ("a read-only role", "read-only access for the analysts", "a role (read-only)") and not a
    // statement with exceptions ("Read-only, except for the notes table").
    [GeneratedRegex(@"(?:^|[.!?;:]\s+)(?<phrase>read[- ]only(?=\s*[.!;:]|\s*,(?!\s*(?:except|apart|but|other than|unless|save)\b)|\s*$|\s+(?:analysis|investigation|review|audit|report|task|ticket|work|session|look|check|query|queries)\b))|\b(?<phrase>(?:task|ticket|work|this) is read[- ]only)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ReadOnlyStatement();

    [GeneratedRegex(@"\b(?:do not|don't|dont|must not|may not|should not|never)\s+(?:change|modify|alter|update|edit|overwrite|touch|correct|fix)\s+(?:the\s+|any\s+|our\s+)?(?<object>(?!anything\b|nothing\b)[\w-]+(?:\s+(?!in\b|on\b|for\b|until\b|before\b|yourself\b|as\b|and\b|or\b|but\b)[\w-]+){0,2})", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex DoNotChangePattern();
}
