using System.Text.Json;
using AgentAccessBroker.Client;
using AgentAccessBroker.Text;

namespace AgentAccessBroker.Cli;

/// <summary>
/// Everything the CLI prints on stdout: tables laid out to the terminal's width (80 when piped, <c>COLUMNS</c> when
/// set), JSON with the API's field names, and plain lines. Colour only on a terminal and never with <c>NO_COLOR</c>.
/// Text from the broker or an agent passes <see cref="UntrustedText"/> first: no escape sequence, control or bidi
/// character reaches the terminal.
/// </summary>
internal static class Output
{
    private static readonly bool Colour = !Console.IsOutputRedirected && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"));

    private static readonly JsonSerializerOptions Indented = new(BrokerJson.Options) { WriteIndented = true };

    public static void Table(IReadOnlyList<TableColumn> columns, IEnumerable<IReadOnlyList<string?>> rows)
    {
        var width = TextTable.TerminalWidth(Environment.GetEnvironmentVariable("COLUMNS"), Console.IsOutputRedirected, () => Console.WindowWidth);
        var safe = rows.Select(row => (IReadOnlyList<string?>)row.Select(cell => cell is null ? null : UntrustedText.Sanitise(cell)).ToList()).ToList();
        foreach (var line in TextTable.Layout(columns, safe, width))
        {
            Console.Out.WriteLine(line);
        }
    }

    /// <summary>A table whose columns are all shortenable when they do not fit.</summary>
    public static void Table(string[] columns, IEnumerable<string?[]> rows) =>
        Table(columns.Select(c => TableColumn.Text(c)).ToList(), rows);

    /// <summary>Writes <paramref name="value"/> exactly as the API serialises it (snake_case field names).</summary>
    public static void Json<T>(T value) => Console.Out.WriteLine(JsonSerializer.Serialize(value, Indented));

    public static void Line(string text) => Console.Out.WriteLine(UntrustedText.Sanitise(text, keepLineBreaks: true));

    public static void Styled(string style, string text) =>
        Console.Out.WriteLine(Colour ? $"\u001b[{Code(style)}m{UntrustedText.Sanitise(text)}\u001b[0m" : UntrustedText.Sanitise(text));

    public static void Field(string name, string? value) => Console.Out.WriteLine($"{UntrustedText.Sanitise(name)}: {UntrustedText.Sanitise(value ?? "-")}");

    /// <summary>One line on stderr, sanitised: error messages echo text from the broker and, through it, from agents.</summary>
    public static void Error(string text) => Console.Error.WriteLine(UntrustedText.Sanitise(text));

    /// <summary>A point in time as the CLI shows it: ISO 8601 in UTC to the second.</summary>
    public static string Time(DateTimeOffset? time) => time?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture) ?? "-";

    private static string Code(string style) => style switch
    {
        "green" => "32",
        "yellow" => "33",
        "red" => "31",
        "bold" => "1",
        _ => "0",
    };
}
