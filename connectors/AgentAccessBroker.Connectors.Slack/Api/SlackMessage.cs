using System.Text.Json.Nodes;

namespace AgentAccessBroker.Connectors.Slack.Api;

/// <summary>A message body: notification text (also the fallback for clients without Block Kit) and Block Kit blocks.</summary>
internal sealed record SlackMessage(string Text, JsonArray Blocks);
