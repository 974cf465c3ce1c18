using AgentAccessBroker.Audit;
using AgentAccessBroker.Domain;
using AgentAccessBroker.Security;
using AgentAccessBroker.Storage;

namespace AgentAccessBroker.Brokering;

/// <summary>Starts tasks (returning the task token once) and completes them, revoking everything issued under them.</summary>
public sealed class TaskLifecycle(IBrokerStore store, LeaseRevoker revoker, ApprovalDesk desk, TimeProvider time)
{
    private static readonly LeaseState[] Live = [LeaseState.Minting, LeaseState.Active, LeaseState.Revoking, LeaseState.RevocationFailed];

    /// <summary>Declares a task for an agent. The returned token is shown once; only its hash is kept.</summary>
    public async Task<(BrokerTask Task, string TaskToken)> StartAsync(
        Principal caller, string agentId, string description, IReadOnlyList<string> scopeHints, string? environment, DateTimeOffset? deadline, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(description) || description.Length > 2000)
        {
            throw BrokerError.Invalid("invalid_description", "Describe the task in 1 to 2000 characters.");
        }

        var agent = await store.GetPrincipalAsync(agentId, cancellationToken);
        if (agent is null || !agent.Has(PrincipalRole.Agent))
        {
            throw BrokerError.Invalid("unknown_agent", $"No registered agent '{agentId}' (register it with 'aab agent add').");
        }

        var now = time.GetUtcNow();
        if (deadline is { } d && d <= now)
        {
            throw BrokerError.Invalid("invalid_deadline", "The deadline must be in the future.");
        }

        var task = new BrokerTask(Ids.New("task"), description.Trim(), caller.Id, agentId, scopeHints, environment, now, deadline, TaskState.Active, null);
        var token = TokenHasher.NewToken("aabt");
        await store.CreateTaskAsync(task, TokenHasher.Hash(token), cancellationToken);
        await store.AppendAsync(AuditEntries.TaskStarted(caller.Id, task), cancellationToken);
        return (task, token);
    }

    /// <summary>
    /// Completes a task and revokes all its leases. Completing it again is a no-op that still retries any lease whose
    /// revocation failed. Returns the task and how many leases were revoked now.
    /// </summary>
    public async Task<(BrokerTask Task, bool AlreadyCompleted, int Revoked, int Failed)> CompleteAsync(Principal caller, string taskId, CancellationToken cancellationToken)
    {
        var task = await store.GetTaskAsync(taskId, cancellationToken) ?? throw BrokerError.NotFound("task", taskId);
        if (!MayComplete(caller, task))
        {
            throw BrokerError.Forbidden("not_your_task", "Only the task's agent, its owner or an admin can complete it.");
        }

        var now = time.GetUtcNow();
        var completedNow = await store.CompleteTaskAsync(taskId, now, cancellationToken);
        var leases = await store.ListLeasesAsync(new LeaseQuery(TaskId: taskId, States: Live), cancellationToken);
        if (completedNow)
        {
            await store.AppendAsync(AuditEntries.TaskCompleted(caller.Id, task, leases.Count), cancellationToken);
            foreach (var pending in await store.ListRequestsAsync(new RequestQuery(TaskId: taskId, Status: RequestStatus.Pending), cancellationToken))
            {
                await desk.WithdrawAsync(pending, task, cancellationToken);
            }
        }

        int revoked = 0, failed = 0;
        foreach (var lease in leases)
        {
            var outcome = await revoker.RevokeAsync(lease.Id, caller.Id, "task completed", onlyIfDue: false, cancellationToken);
            revoked += outcome == RevocationOutcome.Revoked ? 1 : 0;
            failed += outcome == RevocationOutcome.Failed ? 1 : 0;
        }

        var current = await store.GetTaskAsync(taskId, cancellationToken) ?? task;
        return (current, !completedNow, revoked, failed);
    }

    /// <summary>Who may see a task: its agent, its owner, admins, approvers and auditors.</summary>
    public static bool MaySee(Principal caller, BrokerTask task) =>
        caller.Id == task.AgentId || caller.Id == task.Owner || caller.Has(PrincipalRole.Admin) || caller.Has(PrincipalRole.Approver) || caller.Has(PrincipalRole.Auditor);

    public static bool MayComplete(Principal caller, BrokerTask task) =>
        caller.Id == task.AgentId || caller.Id == task.Owner || caller.Has(PrincipalRole.Admin);
}
