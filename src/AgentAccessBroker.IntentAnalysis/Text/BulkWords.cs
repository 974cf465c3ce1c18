using System.Text.RegularExpressions;

namespace AgentAccessBroker.IntentAnalysis.Text;

/// <summary>
/// Words that say a text is about thousands of items at once ("the 1,400 jobs", "5,000 rows", "thousands of records",
/// "2k messages"). Grouped numbers or words for thousands only: a bare number is as often an id, a port or a year,
/// and "30m" is as often minutes as millions.
/// A short rule a reviewer can read: it only tightens.
/// </summary>
internal static partial class BulkWords
{
    /// <summary>The first phrase of <paramref name="text"/> that counts thousands of items, or null.</summary>
    public static string? Find(string? text) => FirstMatch.Of(BulkPattern(), text);

    // A count followed by a thing (not a unit of time, size or money): "1,400 jobs", "5,000 real uplinks", "3,200 DLQ
    // messages", "12k rows", "thousands of records".
    [GeneratedRegex(@"\b(?:\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?\s?(?:k|thousand|million))\s+(?!(?:ms|s|sec|secs|seconds?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?|bytes?|kb|mb|gb|tb|kib|mib|gib|tib|rpm|rps|qps|km|metres?|meters?|miles?|litres?|liters?|pounds?|euros?|dollars?|gbp|eur|usd)\b)[a-z][\w-]*|\b(?:thousands|millions) of\s+[a-z][\w-]*", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex BulkPattern();
}
