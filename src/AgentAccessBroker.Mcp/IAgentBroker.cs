using AgentAccessBroker.Client;

namespace AgentAccessBroker.Mcp;

/// <summary>
/// What the MCP tools ask of the broker, always as one agent acting in one task. Over stdio it is the broker's HTTP API
/// called with the agent's and the task's tokens; inside <c>aab serve</c> it is the broker itself, acting for the
/// principal and task the request authenticated as. A refusal is a <see cref="BrokerClientException"/> whose message is
/// safe to show the agent.
/// </summary>
public interface IAgentBroker
{
    Task<TaskView> GetCurrentTaskAsync(CancellationToken cancellationToken);

    Task<IReadOnlyList<TargetView>> ListTargetsAsync(CancellationToken cancellationToken);

    Task<RequestOutcomeView> SubmitRequestAsync(AccessRequestBody body, CancellationToken cancellationToken);

    Task<RequestOutcomeView> ClaimRequestAsync(string requestId, CancellationToken cancellationToken);

    Task<IReadOnlyList<LeaseView>> ListLiveLeasesAsync(string taskId, CancellationToken cancellationToken);

    /// <summary>Revokes every lease of the task and completes it.</summary>
    Task<CompletedTask> CompleteTaskAsync(string taskId, CancellationToken cancellationToken);

    Task<ReleaseView> ReleaseLeaseAsync(string leaseId, CancellationToken cancellationToken);
}
