using System.Globalization;
using AgentAccessBroker.Text;

namespace AgentAccessBroker.Connectors.Teams.Cards;

/// <summary>Text for cards: untrusted text through the one sanitiser, then cut (never inside a surrogate pair).</summary>
internal static class CardText
{
    public static string Untrusted(string? text, int maxLength, bool multiLine = false)
    {
        var clean = UntrustedText.Sanitise(text, multiLine);
        if (clean.Length <= maxLength)
        {
            return clean;
        }

        var cut = Math.Max(0, maxLength - 1);
        if (cut > 0 && char.IsHighSurrogate(clean[cut - 1]))
        {
            cut--;
        }

        return clean[..cut] + "…";
    }

    public static string Duration(TimeSpan duration) => DurationText.Format(duration);

    public static string Date(DateTimeOffset at) =>
        at.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
}
