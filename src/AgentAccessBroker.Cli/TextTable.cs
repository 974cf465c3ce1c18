using System.Globalization;
using System.Text;

namespace AgentAccessBroker.Cli;

/// <summary>
/// Lays a table out in plain text within a width: columns separated by two spaces, one line per row, no borders.
/// When the natural widths do not fit, the widest shortenable column gives up a character at a time (its cells end in
/// '…'), never below <see cref="MinimumWidth"/>; id columns are never shortened and no cell is ever wrapped, so a line
/// may exceed the width only when the ids alone do.
/// </summary>
internal static class TextTable
{
    public const int MinimumWidth = 6;

    private const string Gap = "  ";

    public static IReadOnlyList<string> Layout(IReadOnlyList<TableColumn> columns, IReadOnlyList<IReadOnlyList<string?>> rows, int width)
    {
        var cells = rows.Select(row => columns.Select((_, i) => Clean(i < row.Count ? row[i] : null)).ToArray()).ToList();
        var widths = columns.Select((c, i) => cells.Select(r => r[i].Length).Append(c.Header.Length).Max()).ToArray();
        var available = width - (Gap.Length * (columns.Count - 1));
        while (widths.Sum() > available)
        {
            var widest = -1;
            for (var i = 0; i < columns.Count; i++)
            {
                if (!columns[i].IsId && widths[i] > Math.Max(MinimumWidth, columns[i].Header.Length) && (widest < 0 || widths[i] > widths[widest]))
                {
                    widest = i;
                }
            }

            if (widest < 0)
            {
                break;
            }

            widths[widest]--;
        }

        var lines = new List<string>(rows.Count + 1) { Line(columns.Select(c => c.Header).ToArray(), widths) };
        lines.AddRange(cells.Select(row => Line(row, widths)));
        return lines;
    }

    /// <summary>The width tables are laid out in: <c>COLUMNS</c> when set, the terminal's when stdout is one, else 80.</summary>
    public static int TerminalWidth(string? columnsVariable, bool outputRedirected, Func<int> windowWidth)
    {
        if (int.TryParse(columnsVariable, NumberStyles.None, CultureInfo.InvariantCulture, out var columns) && columns > 0)
        {
            return columns;
        }

        if (!outputRedirected)
        {
            try
            {
                var window = windowWidth();
                if (window > 0)
                {
                    return window;
                }
            }
            catch (IOException)
            {
                // No console attached after all: fall back to the width a pipe gets.
            }
        }

        return 80;
    }

    private static string Line(string[] cells, int[] widths)
    {
        var line = new StringBuilder();
        for (var i = 0; i < cells.Length; i++)
        {
            var cell = cells[i].Length > widths[i] ? string.Concat(cells[i].AsSpan(0, widths[i] - 1), "…") : cells[i];
            line.Append(i == cells.Length - 1 ? cell : cell.PadRight(widths[i]) + Gap);
        }

        return line.ToString().TrimEnd();
    }

    // A cell is one line: a line break or a control character from agent-supplied text would break the layout.
    private static string Clean(string? text) => string.IsNullOrEmpty(text)
        ? "-"
        : string.Create(text.Length, text, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = char.IsControl(source[i]) ? ' ' : source[i];
            }
        });
}
