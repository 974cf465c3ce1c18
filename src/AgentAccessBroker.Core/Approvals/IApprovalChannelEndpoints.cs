using Microsoft.AspNetCore.Routing;

namespace AgentAccessBroker.Approvals;

/// <summary>
/// The HTTP endpoints an approval channel receives its clicks on (a chat tool's interactivity or bot URL). A channel's
/// registration adds one; the host maps every registered one and knows no channel by name.
/// </summary>
/// <remarks>Security contract: the host maps these endpoints without broker authentication, so each endpoint must
/// authenticate every request itself (signature or token of the chat tool) and refuse, doing nothing, when it fails.</remarks>
public interface IApprovalChannelEndpoints
{
    /// <summary>The channel these endpoints belong to (its <see cref="IApprovalChannel.Name"/>).</summary>
    string Channel { get; }

    void Map(IEndpointRouteBuilder endpoints);
}
