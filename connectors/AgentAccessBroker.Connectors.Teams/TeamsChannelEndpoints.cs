using AgentAccessBroker.Approvals;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AgentAccessBroker.Connectors.Teams;

/// <summary>Maps the bot's messaging endpoint for the host in Bot mode; Workflows mode receives nothing.</summary>
internal sealed class TeamsChannelEndpoints : IApprovalChannelEndpoints
{
    public string Channel => TeamsApprovalChannel.ChannelName;

    public void Map(IEndpointRouteBuilder endpoints)
    {
        if (endpoints.ServiceProvider.GetRequiredService<IOptions<TeamsConnectorOptions>>().Value.Mode == TeamsConnectionMode.Bot)
        {
            endpoints.MapTeamsBot();
        }
    }
}
