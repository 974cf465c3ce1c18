using System.Diagnostics.CodeAnalysis;

namespace AgentAccessBroker.Connectors.Slack.Api;

/// <summary>Where a posted message lives: channel id and message ts. Serialised as the channel reference the core stores.</summary>
internal sealed record SlackMessageRef(string Channel, string Ts)
{
    private const char Separator = '/';

    public string Format() => Channel + Separator + Ts;

    public static bool TryParse(string? text, [NotNullWhen(true)] out SlackMessageRef? reference)
    {
        reference = null;
        var at = text?.IndexOf(Separator, StringComparison.Ordinal) ?? -1;
        if (text is null || at <= 0 || at == text.Length - 1)
        {
            return false;
        }

        reference = new SlackMessageRef(text[..at], text[(at + 1)..]);
        return true;
    }

    public override string ToString() => Format();
}
