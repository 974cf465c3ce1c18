using AgentAccessBroker.Audit;
using AgentAccessBroker.Domain;

namespace AgentAccessBroker.Storage;

public abstract partial class BrokerStore
{
    private readonly Lock _outcomeGate = new();
    private List<PendingOutcome> _outcomes = [];
    private bool _committingOutcomes;
    private long _outcomeTransactions;

    /// <summary>How many transactions <see cref="FinishRevocationAttemptAsync"/> has committed (groups, not outcomes); for tests.</summary>
    internal long OutcomeTransactions => Interlocked.Read(ref _outcomeTransactions);

    /// <inheritdoc />
    public Task<bool> FinishRevocationAttemptAsync(string id, IReadOnlyCollection<LeaseState> expected, LeaseUpdate update, IReadOnlyList<AuditEntry> events)
    {
        var pending = new PendingOutcome(id, expected, update, events);
        bool start;
        lock (_outcomeGate)
        {
            _outcomes.Add(pending);
            start = !_committingOutcomes;
            _committingOutcomes = true;
        }

        if (start)
        {
            _ = Task.Run(CommitOutcomesAsync);
        }

        return pending.Done.Task;
    }

    /// <summary>
    /// Group commit: while one transaction of outcomes waits for the disk, the outcomes that arrive meanwhile queue, and
    /// the next transaction commits all of them with one flush. Runs until the queue is empty; never throws (each
    /// outcome's caller gets its own result or exception).
    /// </summary>
    private async Task CommitOutcomesAsync()
    {
        while (true)
        {
            List<PendingOutcome> group;
            lock (_outcomeGate)
            {
                if (_outcomes.Count == 0)
                {
                    _committingOutcomes = false;
                    return;
                }

                group = _outcomes;
                _outcomes = [];
            }

            try
            {
                var moved = await WriteAsync(scope => ApplyOutcomesAsync(scope, group), waitForDisk: true, CancellationToken.None);
                Interlocked.Increment(ref _outcomeTransactions);
                for (var i = 0; i < group.Count; i++)
                {
                    group[i].Done.TrySetResult(moved[i]);
                }
            }
            catch (Exception) when (group.Count > 1)
            {
                // One outcome that cannot be written must not fail the others (nor a deadlock between nodes): each
                // alone, in its own transaction, as if they had never been grouped.
                foreach (var one in group)
                {
                    try
                    {
                        one.Done.TrySetResult(await TransitionLeaseAsync(one.Id, one.Expected, one.Update, one.Events, waitForDisk: true, CancellationToken.None));
                    }
                    catch (Exception exception)
                    {
                        one.Done.TrySetException(exception);
                    }
                }
            }
            catch (Exception exception)
            {
                group[0].Done.TrySetException(exception);
            }
        }
    }

    /// <summary>
    /// Every lease row first, in id order, then every moved lease's events in one append: the audit head is locked last
    /// and only as long as the append takes, as in every other transaction.
    /// </summary>
    private async Task<bool[]> ApplyOutcomesAsync(WriteScope scope, List<PendingOutcome> group)
    {
        var moved = new bool[group.Count];
        var events = new List<AuditEntry>();
        foreach (var i in Enumerable.Range(0, group.Count).OrderBy(i => group[i].Id, StringComparer.Ordinal))
        {
            var one = group[i];
            moved[i] = await UpdateLeaseAsync(scope, one.Id, one.Expected, one.Update, CancellationToken.None);
            if (moved[i])
            {
                events.AddRange(one.Events);
            }
        }

        await AppendAsync(scope, events, CancellationToken.None);
        return moved;
    }

    private sealed class PendingOutcome(string id, IReadOnlyCollection<LeaseState> expected, LeaseUpdate update, IReadOnlyList<AuditEntry> events)
    {
        public string Id { get; } = id;

        public IReadOnlyCollection<LeaseState> Expected { get; } = expected;

        public LeaseUpdate Update { get; } = update;

        public IReadOnlyList<AuditEntry> Events { get; } = events;

        public TaskCompletionSource<bool> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
