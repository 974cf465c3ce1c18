using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentAccessBroker.Connectors.Slack.Api;
using AgentAccessBroker.Connectors.Slack.Messages;

namespace AgentAccessBroker.Connectors.Slack.Interactivity;

/// <summary>Reads a <c>block_actions</c> payload (the same JSON over HTTP and Socket Mode) into a click on our buttons.</summary>
internal static class SlackInteractionParser
{
    private const int MaxRequestIdLength = 200;

    /// <returns>False with a short reason when the payload is not a click on an approval button.</returns>
    public static bool TryParse(
        JsonElement payload, string source, [NotNullWhen(true)] out SlackInteraction? interaction, out string reason)
    {
        interaction = null;
        if (payload.ValueKind != JsonValueKind.Object || Text(payload, "type") != "block_actions")
        {
            reason = "not_block_actions";
            return false;
        }

        var userId = payload.TryGetProperty("user", out var user) ? Text(user, "id") : null;
        if (!SlackText.IsUserId(userId))
        {
            reason = "no_user";
            return false;
        }

        if (!payload.TryGetProperty("actions", out var actions) || actions.ValueKind != JsonValueKind.Array || actions.GetArrayLength() == 0)
        {
            reason = "no_action";
            return false;
        }

        var action = actions[0];
        var actionId = Text(action, "action_id");
        var requestId = Text(action, "value");
        var actionTs = Text(action, "action_ts");
        if (actionId is not (ApprovalMessageComposer.ApproveAction or ApprovalMessageComposer.ApproveShorterAction or ApprovalMessageComposer.DenyAction)
            || ApprovalMessageComposer.QuorumOf(Text(action, "block_id")) is null)
        {
            reason = "not_an_approval_button";
            return false;
        }

        if (string.IsNullOrEmpty(requestId) || requestId.Length > MaxRequestIdLength || string.IsNullOrEmpty(actionTs))
        {
            reason = "malformed_action";
            return false;
        }

        interaction = new SlackInteraction(
            userId!,
            payload.TryGetProperty("team", out var team) ? Text(team, "id") : null,
            actionId,
            actionTs,
            requestId,
            MessageOf(payload),
            ResponseUrlOf(payload),
            BlocksOf(payload),
            source);
        reason = string.Empty;
        return true;
    }

    private static SlackMessageRef? MessageOf(JsonElement payload)
    {
        string? channel = null;
        string? ts = null;
        if (payload.TryGetProperty("container", out var container))
        {
            channel = Text(container, "channel_id");
            ts = Text(container, "message_ts");
        }

        channel ??= payload.TryGetProperty("channel", out var c) ? Text(c, "id") : null;
        ts ??= payload.TryGetProperty("message", out var m) ? Text(m, "ts") : null;
        return string.IsNullOrEmpty(channel) || string.IsNullOrEmpty(ts) ? null : new SlackMessageRef(channel, ts);
    }

    private static Uri? ResponseUrlOf(JsonElement payload) =>
        Uri.TryCreate(Text(payload, "response_url"), UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttps || url.Scheme == Uri.UriSchemeHttp)
            ? url
            : null;

    private static JsonArray? BlocksOf(JsonElement payload) =>
        payload.TryGetProperty("message", out var message)
        && message.ValueKind == JsonValueKind.Object
        && message.TryGetProperty("blocks", out var blocks)
        && blocks.ValueKind == JsonValueKind.Array
            ? JsonNode.Parse(blocks.GetRawText()) as JsonArray
            : null;

    private static string? Text(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;
}
