using Microsoft.Extensions.Options;

namespace AgentAccessBroker.Connectors.Teams.Bot;

/// <summary>
/// Maps Entra object ids to approver ids from <see cref="TeamsConnectorOptions.Approvers"/>. The desk still checks that
/// the approver belongs to the request's approver group and is not tied to the request.
/// </summary>
internal sealed class ConfiguredTeamsApproverLookup(IOptions<TeamsConnectorOptions> options) : ITeamsApproverLookup
{
    public Task<string?> FindAsync(string requestId, string aadObjectId, CancellationToken cancellationToken)
    {
        foreach (var (objectId, approverId) in options.Value.Approvers)
        {
            if (string.Equals(objectId, aadObjectId, StringComparison.OrdinalIgnoreCase))
            {
                return Task.FromResult<string?>(approverId);
            }
        }

        return Task.FromResult<string?>(null);
    }
}
