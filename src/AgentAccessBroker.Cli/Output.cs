using Spectre.Console;

namespace AgentAccessBroker.Cli;

/// <summary>Tables and lines on stdout; escapes everything that comes from the broker or an agent.</summary>
internal static class Output
{
    public static void Table(string[] columns, IEnumerable<string?[]> rows)
    {
        var table = new Table().Border(TableBorder.Rounded);
        foreach (var column in columns)
        {
            table.AddColumn(new TableColumn(Markup.Escape(column)));
        }

        foreach (var row in rows)
        {
            table.AddRow(row.Select(cell => new Markup(Markup.Escape(cell ?? string.Empty))).ToArray());
        }

        AnsiConsole.Write(table);
    }

    public static void Line(string text) => AnsiConsole.MarkupLine(Markup.Escape(text));

    public static void Styled(string style, string text) => AnsiConsole.MarkupLine($"[{style}]{Markup.Escape(text)}[/]");

    public static void Field(string name, string? value) => AnsiConsole.MarkupLine($"[grey]{Markup.Escape(name)}:[/] {Markup.Escape(value ?? "-")}");
}
