using System.Globalization;
using System.Text;

namespace AgentAccessBroker.Server.WebConsole;

/// <summary>
/// Bars drawn with CSS only: one class per whole percent, because the page's Content-Security-Policy forbids inline
/// <c>style</c> attributes.
/// </summary>
internal static class ScoreBar
{
    /// <summary>The class for a bar <paramref name="points"/> long on a 0-100 scale (negative points draw the same length).</summary>
    public static string WidthClass(int points) => "w" + Math.Clamp(Math.Abs(points), 0, 100).ToString(CultureInfo.InvariantCulture);

    /// <summary>The percent-to-class rules appended to the stylesheet.</summary>
    public static string WidthClasses()
    {
        var css = new StringBuilder("\n/* bar widths (generated) */\n");
        for (var i = 0; i <= 100; i++)
        {
            css.Append(CultureInfo.InvariantCulture, $".w{i}{{width:{i}%}}");
        }

        return css.Append('\n').ToString();
    }
}
