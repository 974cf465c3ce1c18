using System.Diagnostics;

namespace AgentAccessBroker.Benchmarks;

/// <summary>
/// A closed-loop load generator: <c>concurrency</c> workers, each issuing its next operation as soon as the previous
/// one finished, until <c>total</c> operations are done or the time limit passes. Every operation is timed on its own.
/// </summary>
internal static class LoadRunner
{
    /// <param name="operation">Called with (worker index, operation index); throws when the operation did not succeed.</param>
    public static async Task<LatencySummary> RunAsync(
        string name, int concurrency, int total, TimeSpan limit, Func<int, int, Task> operation, CancellationToken cancellationToken)
    {
        var ticks = new long[total];
        var next = -1;
        var deadline = Stopwatch.GetTimestamp() + (long)(limit.TotalSeconds * Stopwatch.Frequency);
        var started = Stopwatch.GetTimestamp();

        async Task WorkerAsync(int worker)
        {
            // Leave the caller's synchronisation context at once so workers really run concurrently.
            await Task.Yield();
            int index;
            while ((index = Interlocked.Increment(ref next)) < total && Stopwatch.GetTimestamp() < deadline)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var start = Stopwatch.GetTimestamp();
                await operation(worker, index);
                ticks[index] = Stopwatch.GetTimestamp() - start;
            }
        }

        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(WorkerAsync));
        var elapsed = Stopwatch.GetElapsedTime(started);

        // Operations past the deadline were never started; their slots are still zero and are left out.
        var measured = ticks.Where(t => t > 0).ToArray();
        return LatencySummary.From(name, concurrency, measured, measured.Length, elapsed);
    }

    /// <summary>
    /// Several operations taken in turn one at a time (A, B, C, A, B, C...), each timed on its own, so that all of them
    /// see the same moments of a shared machine and their differences are not skewed by load that came and went
    /// between separate runs. Requests per second are taken from each operation's own summed durations.
    /// </summary>
    public static async Task<IReadOnlyList<LatencySummary>> RunInTurnAsync(
        IReadOnlyList<(string Name, Func<Task> Operation)> operations, int rounds, TimeSpan limit, CancellationToken cancellationToken)
    {
        var ticks = operations.Select(_ => new long[rounds]).ToArray();
        var deadline = Stopwatch.GetTimestamp() + (long)(limit.TotalSeconds * Stopwatch.Frequency);
        var count = 0;
        while (count < rounds && Stopwatch.GetTimestamp() < deadline)
        {
            for (var i = 0; i < operations.Count; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var start = Stopwatch.GetTimestamp();
                await operations[i].Operation();
                ticks[i][count] = Stopwatch.GetTimestamp() - start;
            }

            count++;
        }

        return operations.Select((o, i) => LatencySummary.Sequential(o.Name, ticks[i], count)).ToList();
    }
}
