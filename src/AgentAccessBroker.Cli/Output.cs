using AgentAccessBroker.Text;
using Spectre.Console;

namespace AgentAccessBroker.Cli;

/// <summary>
/// Tables and lines on stdout. Everything that comes from the broker or an agent passes <see cref="UntrustedText"/>
/// (no escape sequence, control or bidi character reaches the terminal) and then Spectre's markup escaping.
/// </summary>
internal static class Output
{
    public static void Table(string[] columns, IEnumerable<string?[]> rows)
    {
        var table = new Table().Border(TableBorder.Rounded);
        foreach (var column in columns)
        {
            table.AddColumn(new TableColumn(Safe(column)));
        }

        foreach (var row in rows)
        {
            table.AddRow(row.Select(cell => new Markup(Safe(cell))).ToArray());
        }

        AnsiConsole.Write(table);
    }

    public static void Line(string text) => AnsiConsole.MarkupLine(Safe(text));

    public static void Styled(string style, string text) => AnsiConsole.MarkupLine($"[{style}]{Safe(text)}[/]");

    public static void Field(string name, string? value) => AnsiConsole.MarkupLine($"[grey]{Safe(name)}:[/] {Safe(value ?? "-")}");

    /// <summary>One line on stderr, sanitised: error messages echo text from the broker and, through it, from agents.</summary>
    public static void Error(string text) => Console.Error.WriteLine(UntrustedText.Sanitise(text));

    private static string Safe(string? text) => Markup.Escape(UntrustedText.Sanitise(text));
}
