using AgentAccessBroker.Brokering;
using Quartz;

namespace AgentAccessBroker.Server.Scheduling;

/// <summary>
/// Durable one-shot Quartz triggers in the scheduler's database (PostgreSQL: the store's; SQLite: scheduler.db). One trigger per lease and per pending request: a
/// newer schedule replaces the older. Misfires (the broker was down) fire at once on restart.
/// </summary>
internal sealed class QuartzRevocationScheduler(ISchedulerFactory factory) : IRevocationScheduler
{
    public const string LeaseGroup = "revoke-lease";
    public const string ApprovalGroup = "expire-approval";
    public const string TaskGroup = "end-task";
    public const string IdKey = "id";

    public Task ScheduleLeaseRevocationAsync(string leaseId, DateTimeOffset at, CancellationToken cancellationToken) =>
        ScheduleAsync<RevokeLeaseJob>(LeaseGroup, leaseId, at, cancellationToken);

    public Task ScheduleApprovalExpiryAsync(string requestId, DateTimeOffset at, CancellationToken cancellationToken) =>
        ScheduleAsync<ExpireApprovalJob>(ApprovalGroup, requestId, at, cancellationToken);

    public Task ScheduleTaskDeadlineAsync(string taskId, DateTimeOffset at, CancellationToken cancellationToken) =>
        ScheduleAsync<EndTaskJob>(TaskGroup, taskId, at, cancellationToken);

    private async Task ScheduleAsync<TJob>(string group, string id, DateTimeOffset at, CancellationToken cancellationToken)
        where TJob : IJob
    {
        var scheduler = await factory.GetScheduler(cancellationToken);
        var job = JobBuilder.Create<TJob>()
            .WithIdentity(id, group)
            .UsingJobData(IdKey, id)
            .RequestRecovery()
            .Build();
        var trigger = TriggerBuilder.Create()
            .WithIdentity(id, group)
            .ForJob(job)
            .StartAt(at)
            .WithSimpleSchedule(s => s.WithMisfireInstruction(SimpleTriggerMisfireInstruction.FireNow))
            .Build();
        await scheduler.ScheduleJob(job, [trigger], ScheduleJobOptions.Replacing, cancellationToken);
    }
}
