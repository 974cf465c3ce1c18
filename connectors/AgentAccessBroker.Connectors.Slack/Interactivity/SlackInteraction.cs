using System.Text.Json.Nodes;
using AgentAccessBroker.Connectors.Slack.Api;

namespace AgentAccessBroker.Connectors.Slack.Interactivity;

/// <summary>
/// One button click from an authenticated delivery (signed HTTP request or Socket Mode). <see cref="UserId"/> is who
/// clicked, as Slack asserts it; <see cref="RequestId"/> comes from the button value and only says which request, never
/// who may decide it. <see cref="ToString"/> leaves out the response URL, which lets anyone holding it post replies.
/// </summary>
internal sealed record SlackInteraction(
    string UserId,
    string? TeamId,
    string ActionId,
    string ActionTs,
    string RequestId,
    SlackMessageRef? Message,
    Uri? ResponseUrl,
    JsonArray? MessageBlocks,
    string Source)
{
    /// <summary>Identifies a redelivery of the same click: same action time, same user, same request.</summary>
    public string DedupeKey => ActionTs + "|" + UserId + "|" + RequestId;

    public override string ToString() =>
        $"SlackInteraction {{ User = {UserId}, Action = {ActionId}, ActionTs = {ActionTs}, Request = {RequestId}, Source = {Source} }}";
}
