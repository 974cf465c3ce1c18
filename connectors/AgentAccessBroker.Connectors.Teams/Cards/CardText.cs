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

    public static string Duration(TimeSpan duration)
    {
        if (duration < TimeSpan.FromMinutes(1))
        {
            return string.Create(CultureInfo.InvariantCulture, $"{Math.Max(0, (int)duration.TotalSeconds)} s");
        }

        var parts = new List<string>(3);
        if (duration.Days > 0)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{duration.Days} d"));
        }

        if (duration.Hours > 0)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{duration.Hours} h"));
        }

        if (duration.Minutes > 0)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{duration.Minutes} min"));
        }

        return string.Join(" ", parts);
    }

    public static string Date(DateTimeOffset at) =>
        at.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
}
