using AgentAccessBroker.Client;

namespace AgentAccessBroker.Mcp;

/// <summary>The broker's HTTP API as the stdio server reaches it, with the agent's and the task's tokens.</summary>
internal sealed class BrokerClientAgentBroker(BrokerClient client) : IAgentBroker
{
    public Task<TaskView> GetCurrentTaskAsync(CancellationToken cancellationToken) => client.GetCurrentTaskAsync(cancellationToken);

    public Task<IReadOnlyList<TargetView>> ListTargetsAsync(CancellationToken cancellationToken) => client.ListTargetsAsync(cancellationToken);

    public Task<RequestOutcomeView> SubmitRequestAsync(AccessRequestBody body, CancellationToken cancellationToken) => client.SubmitRequestAsync(body, cancellationToken);

    public Task<RequestOutcomeView> ClaimRequestAsync(string requestId, CancellationToken cancellationToken) => client.ClaimRequestAsync(requestId, cancellationToken);

    public Task<IReadOnlyList<LeaseView>> ListLiveLeasesAsync(string taskId, CancellationToken cancellationToken) => client.ListLeasesAsync(taskId, "live", cancellationToken);

    public Task<CompletedTask> CompleteTaskAsync(string taskId, CancellationToken cancellationToken) => client.CompleteTaskAsync(taskId, cancellationToken);

    public Task<ReleaseView> ReleaseLeaseAsync(string leaseId, CancellationToken cancellationToken) => client.ReleaseLeaseAsync(leaseId, cancellationToken);
}
