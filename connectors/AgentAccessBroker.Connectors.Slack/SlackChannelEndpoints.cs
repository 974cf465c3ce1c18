using AgentAccessBroker.Approvals;
using Microsoft.AspNetCore.Routing;

namespace AgentAccessBroker.Connectors.Slack;

/// <summary>Maps Slack's interactivity Request URL for the host, so the host needs no Slack-specific call.</summary>
internal sealed class SlackChannelEndpoints : IApprovalChannelEndpoints
{
    public string Channel => SlackApprovalChannel.ChannelName;

    public void Map(IEndpointRouteBuilder endpoints) => endpoints.MapSlackInteractivity();
}
