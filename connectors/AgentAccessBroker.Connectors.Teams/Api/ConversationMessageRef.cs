using System.Diagnostics.CodeAnalysis;

namespace AgentAccessBroker.Connectors.Teams.Api;

/// <summary>
/// Where an approval card lives, stored by the broker as the announcement's channel reference so the card can be
/// updated later, also after a restart: the Bot Connector service URL, the conversation id and the activity id.
/// </summary>
internal sealed record ConversationMessageRef(Uri ServiceUrl, string ConversationId, string ActivityId)
{
    private const string Prefix = "bot ";

    public string Format() =>
        Prefix + Uri.EscapeDataString(ServiceUrl.ToString()) + " " + Uri.EscapeDataString(ConversationId) + " " + Uri.EscapeDataString(ActivityId);

    public static bool TryParse(string? text, [NotNullWhen(true)] out ConversationMessageRef? reference)
    {
        reference = null;
        if (text is null || !text.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var parts = text[Prefix.Length..].Split(' ');
        if (parts.Length != 3 || parts.Any(p => p.Length == 0)
            || !Uri.TryCreate(Uri.UnescapeDataString(parts[0]), UriKind.Absolute, out var serviceUrl)
            || (serviceUrl.Scheme != Uri.UriSchemeHttps && serviceUrl.Scheme != Uri.UriSchemeHttp))
        {
            return false;
        }

        reference = new ConversationMessageRef(serviceUrl, Uri.UnescapeDataString(parts[1]), Uri.UnescapeDataString(parts[2]));
        return true;
    }
}
