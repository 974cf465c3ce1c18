namespace AgentAccessBroker.Connectors.Teams;

/// <summary>How the Teams channel reaches approvers.</summary>
public enum TeamsConnectionMode
{
    /// <summary>A Teams app backed by an Azure Bot: cards with Approve / Deny buttons that vote in Teams.</summary>
    Bot = 0,

    /// <summary>No bot: a Teams Workflows webhook posts cards that link to the web console's approval page.</summary>
    Workflows = 1,
}
