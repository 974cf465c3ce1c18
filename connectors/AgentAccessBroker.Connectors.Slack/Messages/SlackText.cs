using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using AgentAccessBroker.Text;

namespace AgentAccessBroker.Connectors.Slack.Messages;

/// <summary>
/// Puts text that the broker did not write (agent purpose, task description, resource names) into Slack mrkdwn safely:
/// &amp;, &lt;, &gt; escaped so no mention (<c>&lt;!channel&gt;</c>, <c>&lt;@U..&gt;</c>) or link can be formed; bare
/// broadcast words (<c>@here</c>) broken with a word joiner; backticks replaced so the text cannot leave the code span
/// or code block it is shown in (which is what keeps *bold*/_italic_ markers inert); truncated with an ellipsis.
/// </summary>
internal static partial class SlackText
{
    public const string Ellipsis = "…";
    private const string WordJoiner = "\u2060";

    /// <summary>Text as an inline code span, on one line. Empty text shows a dash.</summary>
    public static string Code(string? raw, int maxLength)
    {
        var inner = Escape(OneLine(raw), maxLength - 2);
        return inner.Length == 0 ? "—" : "`" + inner + "`";
    }

    /// <summary>Text as a preformatted block, line breaks kept. Empty text shows a dash.</summary>
    public static string CodeBlock(string? raw, int maxLength)
    {
        var inner = Escape(raw?.Trim(), maxLength - 6);
        return inner.Length == 0 ? "—" : "```" + inner + "```";
    }

    /// <summary>Escapes raw text for mrkdwn and truncates the escaped result to <paramref name="maxLength"/> characters.</summary>
    public static string Escape(string? raw, int maxLength)
    {
        if (string.IsNullOrEmpty(raw) || maxLength <= 0)
        {
            return string.Empty;
        }

        // The shared sanitiser first (controls made visible, bidi and invisible characters removed), then mrkdwn.
        var neutralised = Broadcast().Replace(UntrustedText.Sanitise(raw.Replace("\r\n", "\n", StringComparison.Ordinal), keepLineBreaks: true), "@" + WordJoiner);
        var full = new StringBuilder(neutralised.Length + 16);
        foreach (var rune in neutralised.EnumerateRunes())
        {
            full.Append(EscapeRune(rune));
        }

        if (full.Length <= maxLength)
        {
            return full.ToString();
        }

        // Cut on whole runes and whole entities so neither a surrogate pair nor "&amp;" is split.
        var cut = new StringBuilder(maxLength);
        foreach (var rune in neutralised.EnumerateRunes())
        {
            var piece = EscapeRune(rune);
            if (cut.Length + piece.Length > maxLength - Ellipsis.Length)
            {
                break;
            }

            cut.Append(piece);
        }

        return cut.Append(Ellipsis).ToString();
    }

    /// <summary>Truncates broker-written plain text (plain_text objects need no escaping).</summary>
    public static string Plain(string text, int maxLength)
    {
        if (text.Length <= maxLength)
        {
            return text;
        }

        var end = maxLength - Ellipsis.Length;
        if (end > 0 && char.IsHighSurrogate(text[end - 1]))
        {
            end--;
        }

        return text[..end] + Ellipsis;
    }

    /// <summary>A mention of a verified Slack user, or null when the id does not look like a Slack user id.</summary>
    public static string? Mention(string? slackUserId) =>
        slackUserId is not null && UserId().IsMatch(slackUserId) ? "<@" + slackUserId + ">" : null;

    public static bool IsUserId(string? value) => value is not null && UserId().IsMatch(value);

    /// <summary>Slack renders the date in the reader's time zone; the fallback is UTC.</summary>
    public static string Date(DateTimeOffset at) =>
        string.Create(
            CultureInfo.InvariantCulture,
            $"<!date^{at.ToUnixTimeSeconds()}^{{date_short_pretty}} at {{time}}|{at.UtcDateTime:yyyy-MM-dd HH:mm} UTC>");

    public static string Duration(TimeSpan duration) => DurationText.Format(duration);

    private static string OneLine(string? raw) =>
        raw is null ? string.Empty : LineBreaks().Replace(raw.Trim(), " ");

    private static string EscapeRune(Rune rune) => rune.Value switch
    {
        '&' => "&amp;",
        '<' => "&lt;",
        '>' => "&gt;",
        '`' => "\u02CB",
        '\r' => string.Empty,
        '\n' or '\t' => rune.ToString(),
        _ when Rune.IsControl(rune) => string.Empty,
        _ => rune.ToString(),
    };

    [GeneratedRegex(@"@(?=(channel|here|everyone|group)\b)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Broadcast();

    [GeneratedRegex(@"\s*[\r\n]+\s*")]
    private static partial Regex LineBreaks();

    [GeneratedRegex("^[UW][A-Z0-9]{2,30}$")]
    private static partial Regex UserId();
}
