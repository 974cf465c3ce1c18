using AgentAccessBroker.Brokering;
using AgentAccessBroker.Client;
using AgentAccessBroker.Domain;
using AgentAccessBroker.Mcp;
using AgentAccessBroker.Policy;
using AgentAccessBroker.Security;
using AgentAccessBroker.Server.Http;
using AgentAccessBroker.Storage;

namespace AgentAccessBroker.Server.Mcp;

/// <summary>
/// The broker itself behind the MCP tools at <c>/mcp</c>: the same intake, lifecycle and revoker the /v1 API uses,
/// acting for the principal the request authenticated as and for the task its credentials name. Nothing the caller
/// sent (its JWT above all) goes anywhere else.
/// </summary>
internal sealed class InProcessAgentBroker(
    IHttpContextAccessor accessor, IBrokerStore store, AccessRequestIntake intake, TaskLifecycle tasks, LeaseRevoker revoker, IPolicySource policies, TimeProvider time)
    : IAgentBroker
{
    private HttpContext Http => accessor.HttpContext ?? throw new InvalidOperationException("The MCP tools run inside an HTTP request.");

    public Task<TaskView> GetCurrentTaskAsync(CancellationToken cancellationToken) => RefusalsAsync(async () => Views.Of(await TaskAsync(cancellationToken)));

    public Task<IReadOnlyList<TargetView>> ListTargetsAsync(CancellationToken cancellationToken) => RefusalsAsync(() =>
    {
        var policy = policies.Current;
        var agent = policy.FindAgent(Http.Caller().Id);
        return Task.FromResult<IReadOnlyList<TargetView>>(policy.Targets.Where(t => agent?.MayUse(t.Name) == true).Select(t => Views.Of(t, policy)).ToList());
    });

    public Task<RequestOutcomeView> SubmitRequestAsync(AccessRequestBody body, CancellationToken cancellationToken) => RefusalsAsync(async () =>
    {
        var input = new NewAccessRequest(
            body.Target,
            EdgeInput.List(body.Resources, "resources", AccessRequestIntake.MaxResources, 512, required: true),
            EdgeInput.List(body.Actions, "actions", AccessRequestIntake.MaxActions, 256, required: true),
            body.Purpose ?? string.Empty,
            EdgeInput.Duration(body.Duration));
        var task = await TaskAsync(cancellationToken);
        var outcome = await intake.SubmitAsync(Http.Caller(), task, input, body.DryRun, cancellationToken);
        return Views.Of(outcome, time.GetUtcNow());
    });

    public Task<RequestOutcomeView> ClaimRequestAsync(string requestId, CancellationToken cancellationToken) => RefusalsAsync(async () =>
    {
        // The request must belong to the task this caller acts in, not merely to the same agent.
        var task = await TaskAsync(cancellationToken);
        var request = await store.GetRequestAsync(requestId, cancellationToken);
        if (request is null || request.TaskId != task.Id)
        {
            throw BrokerError.NotFound("request", requestId);
        }

        return Views.Of(await intake.CheckAsync(Http.Caller(), requestId, cancellationToken), time.GetUtcNow());
    });

    public Task<IReadOnlyList<LeaseView>> ListLiveLeasesAsync(string taskId, CancellationToken cancellationToken) => RefusalsAsync(async () =>
    {
        var task = await TaskAsync(cancellationToken);
        var leases = await store.ListLeasesAsync(
            new LeaseQuery(AgentId: Http.Caller().Id, TaskId: task.Id, States: EdgeInput.LeaseStateFilter("live"), Limit: 1000, After: null), cancellationToken);
        var now = time.GetUtcNow();
        return (IReadOnlyList<LeaseView>)leases.Select(l => Views.Of(l, now)).ToList();
    });

    public Task<CompletedTask> CompleteTaskAsync(string taskId, CancellationToken cancellationToken) => RefusalsAsync(async () =>
    {
        var task = await TaskAsync(cancellationToken);
        var (done, already, revoked, failed) = await tasks.CompleteAsync(Http.Caller(), task.Id, cancellationToken);
        return new CompletedTask(Views.Of(done), already, revoked, failed);
    });

    public Task<ReleaseView> ReleaseLeaseAsync(string leaseId, CancellationToken cancellationToken) => RefusalsAsync(async () =>
    {
        var task = await TaskAsync(cancellationToken);
        var lease = await store.GetLeaseAsync(leaseId, cancellationToken);
        if (lease is null || lease.TaskId != task.Id)
        {
            throw BrokerError.NotFound("lease", leaseId);
        }

        var caller = Http.Caller();
        var outcome = await revoker.RevokeAsync(leaseId, caller.Id, "released", onlyIfDue: false, cancellationToken);
        var after = await store.GetLeaseAsync(leaseId, cancellationToken) ?? lease;
        return new ReleaseView(leaseId, outcome.ToString().ToLowerInvariant(), after.State.ToString());
    });

    /// <summary>
    /// The task this call acts in: the one a JWT's task claim names, else the one whose token is in the task-token
    /// header. Either way it must be a task of the authenticated agent.
    /// </summary>
    private async Task<BrokerTask> TaskAsync(CancellationToken cancellationToken)
    {
        var agent = Http.Caller();
        if (Http.Items[RemoteMcp.TaskIdItem] is string id)
        {
            var named = await store.GetTaskAsync(id, cancellationToken);
            return named is not null && named.AgentId == agent.Id
                ? named
                : throw BrokerError.Forbidden("invalid_task", $"The access token names task '{id}', which is not a task of agent '{agent.Id}'.");
        }

        var token = Http.Request.Headers[BrokerClient.TaskTokenHeader].ToString();
        if (string.IsNullOrEmpty(token))
        {
            throw BrokerError.Invalid("missing_task_token", $"No task: send the task token from 'aab task start' in the {BrokerClient.TaskTokenHeader} header, or use an access token that carries the task claim.");
        }

        var task = await store.FindTaskByTokenHashAsync(TokenHasher.Hash(token), cancellationToken);
        return task is not null && task.AgentId == agent.Id
            ? task
            : throw BrokerError.Forbidden("invalid_task_token", "The task token is not valid for this agent.");
    }

    /// <summary>A broker refusal reaches the tools as the stdio server would see it: status, code and a safe message.</summary>
    private static async Task<T> RefusalsAsync<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (BrokerError error)
        {
            throw new BrokerClientException(Problems.StatusOf(error.Kind), error.Code, error.Message);
        }
    }
}
