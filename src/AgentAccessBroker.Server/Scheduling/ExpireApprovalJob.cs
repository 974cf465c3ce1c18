using AgentAccessBroker.Brokering;
using Quartz;

namespace AgentAccessBroker.Server.Scheduling;

/// <summary>Denies a pending request that no approver decided in time.</summary>
internal sealed class ExpireApprovalJob(ApprovalDesk desk) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        var requestId = context.MergedJobDataMap.GetString(QuartzRevocationScheduler.IdKey)!;
        await desk.ExpireAsync(requestId, cancellationToken);
    }
}
