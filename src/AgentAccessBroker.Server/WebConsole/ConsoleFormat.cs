using System.Globalization;

namespace AgentAccessBroker.Server.WebConsole;

/// <summary>Times and durations as people read them on a page; machine-readable forms go in <c>datetime</c> attributes.</summary>
internal static class ConsoleFormat
{
    public static string Iso(DateTimeOffset at) => at.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    public static string Utc(DateTimeOffset at) => at.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    /// <summary>"12m 05s left", or "ended" once <paramref name="until"/> has passed; the page's script keeps it ticking.</summary>
    public static string Remaining(DateTimeOffset until, DateTimeOffset now)
    {
        var left = until - now;
        if (left <= TimeSpan.Zero)
        {
            return "ended";
        }

        return left.TotalHours >= 1
            ? string.Create(CultureInfo.InvariantCulture, $"{(int)left.TotalHours}h {left.Minutes:00}m left")
            : string.Create(CultureInfo.InvariantCulture, $"{left.Minutes}m {left.Seconds:00}s left");
    }

    public static string Points(int points) => points >= 0 ? "+" + points.ToString(CultureInfo.InvariantCulture) : points.ToString(CultureInfo.InvariantCulture);

    public static string Snake<T>(T value)
        where T : struct, Enum
    {
        var name = value.ToString();
        var builder = new System.Text.StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0)
            {
                builder.Append(' ');
            }

            builder.Append(char.ToLowerInvariant(name[i]));
        }

        return builder.ToString();
    }
}
