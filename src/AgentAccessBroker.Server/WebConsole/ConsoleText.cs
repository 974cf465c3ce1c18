using AgentAccessBroker.Text;

namespace AgentAccessBroker.Server.WebConsole;

/// <summary>
/// Text the broker did not write (purposes, task descriptions, resource names, reasons) on its way into a page: through
/// the one sanitiser (control characters made visible as control pictures, bidirectional and invisible formatting
/// characters removed); Razor then HTML-encodes whatever it writes.
/// </summary>
internal static class ConsoleText
{
    public static string Of(string? text) => UntrustedText.Sanitise(text);
}
