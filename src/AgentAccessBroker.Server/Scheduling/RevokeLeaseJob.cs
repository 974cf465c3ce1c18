using AgentAccessBroker.Brokering;
using Quartz;

namespace AgentAccessBroker.Server.Scheduling;

/// <summary>Revokes a lease whose end or retry time came. The store decides whether it is really due.</summary>
/// <remarks>
/// The job only starts the revocation and returns: it runs in its target's lane (see <see cref="LeaseRevoker"/>), so
/// revocations stuck on one target never hold the scheduler's few threads that every other target's revocations need.
/// (Awaiting here, 12 revocations hanging on one PostgreSQL target delayed a healthy target's by 81 s.) If the broker
/// stops before the attempt ends, the lease stays due in the store and the sweep revokes it.
/// </remarks>
internal sealed class RevokeLeaseJob(LeaseRevoker revoker) : IJob
{
    public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        var leaseId = context.MergedJobDataMap.GetString(QuartzRevocationScheduler.IdKey)!;
        _ = revoker.StartInBackground(leaseId, "scheduler", "lease ended", onlyIfDue: true);
        return ValueTask.CompletedTask;
    }
}
