using AgentAccessBroker.Brokering;
using Quartz;

namespace AgentAccessBroker.Server.Scheduling;

/// <summary>Ends a task at its deadline, as its completion would. The store decides whether it is really overdue.</summary>
internal sealed class EndTaskJob(TaskLifecycle tasks) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        var taskId = context.MergedJobDataMap.GetString(QuartzRevocationScheduler.IdKey)!;
        await tasks.ExpireIfOverdueAsync(taskId, cancellationToken);
    }
}
