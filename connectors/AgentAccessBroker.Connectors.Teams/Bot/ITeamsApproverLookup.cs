namespace AgentAccessBroker.Connectors.Teams.Bot;

/// <summary>Maps a verified Entra object id (<c>from.aadObjectId</c> of an authenticated activity) to a policy approver of the request, or null.</summary>
internal interface ITeamsApproverLookup
{
    Task<string?> FindAsync(string requestId, string aadObjectId, CancellationToken cancellationToken);
}
