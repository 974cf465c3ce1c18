using System.Globalization;
using System.Text;

namespace AgentAccessBroker.Policy;

/// <summary>
/// Durations as policy files write them: whole numbers with units <c>d</c>, <c>h</c>, <c>m</c>, <c>s</c>, largest unit
/// first, each unit at most once (<c>90s</c>, <c>30m</c>, <c>2h30m</c>, <c>1d</c>).
/// </summary>
public static class PolicyDuration
{
    private static readonly (char Unit, long Seconds)[] Units = [('d', 86_400), ('h', 3_600), ('m', 60), ('s', 1)];

    /// <summary>Parses <paramref name="text"/>; false for anything else, including an empty string or a bare number.</summary>
    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        long totalSeconds = 0;
        var nextUnit = 0;
        var i = 0;
        while (i < text.Length)
        {
            var digitsStart = i;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                i++;
            }

            if (i == digitsStart || i == text.Length || i - digitsStart > 9)
            {
                return false;
            }

            var unit = Array.FindIndex(Units, nextUnit, u => u.Unit == text[i]);
            if (unit < 0)
            {
                return false;
            }

            var amount = long.Parse(text.AsSpan(digitsStart, i - digitsStart), NumberStyles.None, CultureInfo.InvariantCulture);
            totalSeconds += amount * Units[unit].Seconds;
            nextUnit = unit + 1;
            i++;
        }

        // Nine digits of days is far beyond TimeSpan's range; reject rather than overflow.
        if (totalSeconds > (long)TimeSpan.MaxValue.TotalSeconds)
        {
            return false;
        }

        duration = TimeSpan.FromSeconds(totalSeconds);
        return true;
    }

    /// <summary>Writes a duration the way <see cref="TryParse"/> reads it (sub-second parts are dropped).</summary>
    public static string Format(TimeSpan duration)
    {
        var remaining = (long)duration.TotalSeconds;
        if (remaining <= 0)
        {
            return "0s";
        }

        var text = new StringBuilder();
        foreach (var (unit, seconds) in Units)
        {
            if (remaining >= seconds)
            {
                text.Append(CultureInfo.InvariantCulture, $"{remaining / seconds}{unit}");
                remaining %= seconds;
            }
        }

        return text.ToString();
    }
}
