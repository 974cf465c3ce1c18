using System.Globalization;
using System.Text;

namespace AgentAccessBroker.Cli;

/// <summary>
/// Lays a table out in plain text within a width: columns separated by two spaces, one line per row, no borders, no
/// wrapping. When the natural widths do not fit, droppable columns go first (lowest drop order first) as long as the
/// rest cannot fit even when shortened; then the widest text column gives up a character at a time down to its
/// minimum (its cells end in '…'). Fixed columns (ids, times) are never shortened, so a line exceeds the width only when
/// the fixed columns alone do.
/// </summary>
internal static class TextTable
{
    private const string Gap = "  ";

    public static IReadOnlyList<string> Layout(IReadOnlyList<TableColumn> columns, IReadOnlyList<IReadOnlyList<string?>> rows, int width)
    {
        var cells = rows.Select(row => columns.Select((_, i) => Clean(i < row.Count ? row[i] : null)).ToArray()).ToList();
        var natural = columns.Select((c, i) => cells.Select(r => r[i].Length).Append(c.Header.Length).Max()).ToArray();
        var kept = Enumerable.Range(0, columns.Count).ToList();
        int Least(int i) => columns[i].Fixed ? natural[i] : Math.Min(natural[i], columns[i].MinWidth);
        int Needed(IEnumerable<int> indexes, Func<int, int> widthOf) => indexes.Sum(widthOf) + (Gap.Length * Math.Max(0, indexes.Count() - 1));

        while (Needed(kept, i => natural[i]) > width && Needed(kept, Least) > width
            && kept.Where(i => columns[i].DropOrder > 0).OrderBy(i => columns[i].DropOrder).FirstOrDefault(-1) is var drop and >= 0)
        {
            kept.Remove(drop);
        }

        var widths = natural.ToArray();
        while (Needed(kept, i => widths[i]) > width)
        {
            var widest = kept.Where(i => widths[i] > Least(i)).OrderByDescending(i => widths[i]).FirstOrDefault(-1);
            if (widest < 0)
            {
                break;
            }

            widths[widest]--;
        }

        var lines = new List<string>(rows.Count + 1) { Line(kept.Select(i => columns[i].Header).ToList(), kept.Select(i => widths[i]).ToList()) };
        lines.AddRange(cells.Select(row => Line(kept.Select(i => row[i]).ToList(), kept.Select(i => widths[i]).ToList())));
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

    private static string Line(IReadOnlyList<string> cells, IReadOnlyList<int> widths)
    {
        var line = new StringBuilder();
        for (var i = 0; i < cells.Count; i++)
        {
            var cell = cells[i].Length > widths[i] ? string.Concat(cells[i].AsSpan(0, Math.Max(0, widths[i] - 1)), "…") : cells[i];
            line.Append(i == cells.Count - 1 ? cell : cell.PadRight(widths[i]) + Gap);
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
