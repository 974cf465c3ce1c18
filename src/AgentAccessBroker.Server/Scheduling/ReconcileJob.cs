using AgentAccessBroker.Brokering;
using Quartz;

namespace AgentAccessBroker.Server.Scheduling;

/// <summary>The periodic reconciliation sweep: anything due whose trigger was lost is revoked or expired here.</summary>
[DisallowConcurrentExecution]
internal sealed class ReconcileJob(RevocationSweep sweep) : IJob
{
    public static readonly JobKey Key = new("reconcile", "broker");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default) =>
        await sweep.RunAsync(cancellationToken);
}
