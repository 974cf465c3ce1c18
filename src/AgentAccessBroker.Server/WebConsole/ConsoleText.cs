namespace AgentAccessBroker.Server.WebConsole;

/// <summary>
/// Text the broker did not write (purposes, task descriptions, resource names, reasons) on its way into a page. Razor
/// HTML-encodes whatever it writes; this makes control and bidirectional characters visible first.
/// </summary>
internal static class ConsoleText
{
    public static string Of(string? text) => text ?? string.Empty;
}
