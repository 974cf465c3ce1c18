namespace AgentAccessBroker.Connectors.Slack;

/// <summary>How Slack delivers button clicks to the broker.</summary>
public enum SlackConnectionMode
{
    /// <summary>Slack POSTs signed requests to the interactivity Request URL (needs a public HTTPS endpoint).</summary>
    Http = 0,

    /// <summary>The broker opens an outbound WebSocket with an app-level token; no public URL is needed.</summary>
    SocketMode = 1,

    /// <summary>Both at once, for example while migrating from one to the other.</summary>
    Both = 2,
}
