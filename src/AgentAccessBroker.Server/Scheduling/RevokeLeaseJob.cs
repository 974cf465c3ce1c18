using AgentAccessBroker.Brokering;
using Quartz;

namespace AgentAccessBroker.Server.Scheduling;

/// <summary>Revokes a lease whose end or retry time came. The store decides whether it is really due.</summary>
internal sealed class RevokeLeaseJob(LeaseRevoker revoker) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        var leaseId = context.MergedJobDataMap.GetString(QuartzRevocationScheduler.IdKey)!;
        await revoker.RevokeAsync(leaseId, "scheduler", "lease ended", onlyIfDue: true, cancellationToken);
    }
}
