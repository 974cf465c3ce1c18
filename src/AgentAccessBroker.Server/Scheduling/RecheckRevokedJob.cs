using AgentAccessBroker.Brokering;
using Quartz;

namespace AgentAccessBroker.Server.Scheduling;

/// <summary>
/// Re-verifies revoked leases whose credential is still valid (see <see cref="RevocationRecheck"/>). Clustered like
/// every broker job: one node runs it at a time, and whichever node is alive does.
/// </summary>
[DisallowConcurrentExecution]
internal sealed class RecheckRevokedJob(RevocationRecheck recheck) : IJob
{
    public static readonly JobKey Key = new("recheck-revoked", "broker");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default) =>
        await recheck.RunAsync(cancellationToken);
}
