namespace AgentAccessBroker.Brokering;

/// <summary>
/// Durable triggers (Quartz in the server). Triggers only say "look now": the store decides what is due, so a lost or
/// duplicated trigger is harmless and the reconciliation sweep covers anything missed.
/// </summary>
public interface IRevocationScheduler
{
    Task ScheduleLeaseRevocationAsync(string leaseId, DateTimeOffset at, CancellationToken cancellationToken);

    Task ScheduleApprovalExpiryAsync(string requestId, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>
    /// Ends a task at its deadline. Optional for a scheduler: the reconciliation sweep ends overdue tasks whether or
    /// not a trigger fired, so a scheduler without it only ends them a sweep interval later.
    /// </summary>
    Task ScheduleTaskDeadlineAsync(string taskId, DateTimeOffset at, CancellationToken cancellationToken) => Task.CompletedTask;
}
