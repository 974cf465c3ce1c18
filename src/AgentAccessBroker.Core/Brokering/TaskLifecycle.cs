using AgentAccessBroker.Audit;
using AgentAccessBroker.Domain;
using AgentAccessBroker.Security;
using AgentAccessBroker.Storage;

namespace AgentAccessBroker.Brokering;

/// <summary>
/// Starts tasks (returning the task token once) and ends them: completed, cancelled, or expired at the deadline. Ending
/// is one durable transition (the task's state, its pending and approved requests withdrawn, every live lease marked
/// due, and their audit events, in one transaction), then the revocation of every lease of the task, page by page. A
/// crash after the transition leaves the marks, and the start-up and periodic sweeps revoke what is left.
/// </summary>
public sealed class TaskLifecycle(IBrokerStore store, LeaseRevoker revoker, ApprovalDesk desk, IRevocationScheduler scheduler, TimeProvider time)
{
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

        if (agent.Status != PrincipalStatus.Enabled)
        {
            throw IssuanceRefusals.AgentDisabled(agentId);
        }

        if (agent.Locked)
        {
            throw IssuanceRefusals.Locked(LockSubject.Agent, agentId);
        }

        var now = time.GetUtcNow();
        if (deadline is { } d && d <= now)
        {
            throw BrokerError.Invalid("invalid_deadline", "The deadline must be in the future.");
        }

        var task = new BrokerTask(Ids.New("task"), description.Trim(), caller.Id, agentId, scopeHints, environment, now, deadline, TaskState.Active, null);
        var token = TokenHasher.NewToken("aabt");
        await store.CreateTaskAsync(task, TokenHasher.Hash(token), AuditEntries.TaskStarted(caller.Id, task), cancellationToken);
        if (deadline is { } end)
        {
            // The trigger only says "look now"; the sweep ends an overdue task even if the trigger is lost.
            await scheduler.ScheduleTaskDeadlineAsync(task.Id, end, cancellationToken);
        }

        return (task, token);
    }

    /// <summary>
    /// Completes a task and revokes all its leases. Completing it again is a no-op that still revokes any lease left
    /// live (a failed revocation, a crash mid-completion). Returns the task and how many leases were revoked now.
    /// </summary>
    public Task<(BrokerTask Task, bool AlreadyCompleted, int Revoked, int Failed)> CompleteAsync(Principal caller, string taskId, CancellationToken cancellationToken) =>
        EndByCallerAsync(caller, taskId, TaskState.Completed, "task completed", cancellationToken);

    /// <summary>Cancels a task: the same cut-off as completion, recorded as a cancellation.</summary>
    public Task<(BrokerTask Task, bool AlreadyCompleted, int Revoked, int Failed)> CancelAsync(Principal caller, string taskId, CancellationToken cancellationToken) =>
        EndByCallerAsync(caller, taskId, TaskState.Cancelled, "task cancelled", cancellationToken);

    /// <summary>Ends a task whose deadline has passed (the deadline trigger and the sweep). False when it is not overdue or already ended.</summary>
    public async Task<bool> ExpireIfOverdueAsync(string taskId, CancellationToken cancellationToken)
    {
        var task = await store.GetTaskAsync(taskId, cancellationToken);
        if (task is not { State: TaskState.Active, Deadline: { } deadline } || deadline > time.GetUtcNow())
        {
            return false;
        }

        var (ending, _, _) = await EndAsync(taskId, TaskState.Expired, "scheduler", "task deadline reached", cancellationToken);
        return ending.EndedNow;
    }

    /// <summary>The durable transition, then the revocation of every live lease of the task, however many.</summary>
    public async Task<(TaskEnding Ending, int Revoked, int Failed)> EndAsync(string taskId, TaskState end, string actor, string reason, CancellationToken cancellationToken)
    {
        var ending = await store.EndTaskAsync(taskId, end, time.GetUtcNow(), actor, reason, cancellationToken);
        if (ending.Task is null)
        {
            throw BrokerError.NotFound("task", taskId);
        }

        await desk.ShowWithdrawnAsync(ending.CutOff.Withdrawn, cancellationToken);
        var (revoked, failed) = await revoker.RevokeAllAsync(new LeaseQuery(TaskId: taskId), actor, reason, cancellationToken);
        return (ending, revoked, failed);
    }

    private async Task<(BrokerTask Task, bool AlreadyCompleted, int Revoked, int Failed)> EndByCallerAsync(
        Principal caller, string taskId, TaskState end, string reason, CancellationToken cancellationToken)
    {
        var task = await store.GetTaskAsync(taskId, cancellationToken) ?? throw BrokerError.NotFound("task", taskId);
        if (!MayComplete(caller, task))
        {
            throw BrokerError.Forbidden("not_your_task", "Only the task's agent, its owner or an admin can end it.");
        }

        var (ending, revoked, failed) = await EndAsync(taskId, end, caller.Id, reason, cancellationToken);
        var current = await store.GetTaskAsync(taskId, cancellationToken) ?? ending.Task!;
        return (current, !ending.EndedNow, revoked, failed);
    }

    /// <summary>Who may see a task: its agent, its owner, admins, approvers and auditors.</summary>
    public static bool MaySee(Principal caller, BrokerTask task) =>
        caller.Id == task.AgentId || caller.Id == task.Owner || caller.Has(PrincipalRole.Admin) || caller.Has(PrincipalRole.Approver) || caller.Has(PrincipalRole.Auditor);

    public static bool MayComplete(Principal caller, BrokerTask task) =>
        caller.Id == task.AgentId || caller.Id == task.Owner || caller.Has(PrincipalRole.Admin);
}
