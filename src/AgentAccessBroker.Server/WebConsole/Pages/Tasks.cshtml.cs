using AgentAccessBroker.Actions;
using AgentAccessBroker.Brokering;
using AgentAccessBroker.Domain;
using AgentAccessBroker.Policy;
using AgentAccessBroker.Storage;

namespace AgentAccessBroker.Server.WebConsole.Pages;

/// <summary>Active tasks with their live leases, a countdown to each end, and the blast radius of what they can reach.</summary>
public sealed class TasksModel(IBrokerStore store, IPolicySource policies, TaskLifecycle tasks, LeaseRevoker revoker, ActionVocabularies vocabularies, TimeProvider time) : ConsolePageModel
{
    private static readonly LeaseState[] Live = [LeaseState.Minting, LeaseState.Active, LeaseState.Revoking, LeaseState.RevocationFailed];

    public IReadOnlyList<Row> Rows { get; private set; } = [];

    public DateTimeOffset Now { get; private set; }

    public Task OnGetAsync(CancellationToken cancellationToken) => LoadAsync(cancellationToken);

    public async Task OnPostCompleteAsync(string id, CancellationToken cancellationToken)
    {
        await RunAsync(async () =>
        {
            var (task, already, revoked, failed) = await tasks.CompleteAsync(Caller, id, cancellationToken);
            return already
                ? $"Task {task.Id} was already completed."
                : $"Completed task {task.Id}: {revoked} lease(s) revoked{(failed > 0 ? $", {failed} revocation(s) failed and will be retried" : string.Empty)}.";
        });
        await LoadAsync(cancellationToken);
    }

    public async Task OnPostReleaseAsync(string id, CancellationToken cancellationToken)
    {
        await RunAsync(async () =>
        {
            var lease = await store.GetLeaseAsync(id, cancellationToken) ?? throw BrokerError.NotFound("lease", id);
            var task = await store.GetTaskAsync(lease.TaskId, cancellationToken);
            if (task is not null && !TaskLifecycle.MayComplete(Caller, task))
            {
                throw BrokerError.Forbidden("not_your_lease", "Only the lease's agent, the task owner or an admin can release it.");
            }

            var outcome = await revoker.RevokeAsync(id, Caller.Id, "released", onlyIfDue: false, cancellationToken);
            return $"Lease {id}: {outcome.ToString().ToLowerInvariant()}.";
        });
        await LoadAsync(cancellationToken);
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        Now = time.GetUtcNow();
        var policy = policies.Current;
        var caller = Caller;
        var active = await store.ListTasksAsync(null, TaskState.Active, cancellationToken);
        var rows = new List<Row>();
        foreach (var task in active.Where(t => TaskLifecycle.MaySee(caller, t)).OrderByDescending(t => t.CreatedAt))
        {
            var leases = await store.ListLeasesAsync(new LeaseQuery(TaskId: task.Id, States: Live), cancellationToken);
            rows.Add(new Row(task, leases.OrderBy(l => l.ExpiresAt).ToList(), BlastRadius.Of(leases, policy, vocabularies, Now), TaskLifecycle.MayComplete(caller, task)));
        }

        Rows = rows;
    }

    public sealed record Row(BrokerTask Task, IReadOnlyList<Lease> Leases, BlastRadius Radius, bool MayAct);
}
