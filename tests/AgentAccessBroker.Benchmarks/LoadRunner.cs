using System.Diagnostics;
using System.Runtime;

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
    /// Several operations taken in turn one at a time, each timed on its own, so that all of them see the same moments
    /// of a shared machine and their differences are not skewed by load that came and went between separate runs. The
    /// order rotates from round to round (A B C, B C A, C A B...), so that each operation follows each of the others,
    /// and <paramref name="betweenRounds"/> (run after each round, untimed), equally often. Requests per second are
    /// taken from each operation's own summed durations. Also returns each operation's durations in milliseconds, round
    /// by round, so that operations of the same round (the same moment) can be compared.
    /// </summary>
    public static async Task<(IReadOnlyList<LatencySummary> Summaries, IReadOnlyList<double[]> RoundMs)> RunInTurnAsync(
        IReadOnlyList<(string Name, Func<Task> Operation)> operations, int rounds, TimeSpan limit, Func<Task> betweenRounds, CancellationToken cancellationToken)
    {
        var ticks = operations.Select(_ => new long[rounds]).ToArray();
        var deadline = Stopwatch.GetTimestamp() + (long)(limit.TotalSeconds * Stopwatch.Frequency);
        var count = 0;
        while (count < rounds && Stopwatch.GetTimestamp() < deadline)
        {
            for (var step = 0; step < operations.Count; step++)
            {
                var i = (count + step) % operations.Count;
                cancellationToken.ThrowIfCancellationRequested();
                var start = Stopwatch.GetTimestamp();
                await operations[i].Operation();
                ticks[i][count] = Stopwatch.GetTimestamp() - start;
            }

            await betweenRounds();
            count++;
        }

        return (
            operations.Select((o, i) => LatencySummary.Sequential(o.Name, ticks[i], count)).ToList(),
            ticks.Select(t => t.Take(count).Select(LatencySummary.ToMs).ToArray()).ToList());
    }

    /// <summary>
    /// Runs <paramref name="round"/> until the JIT has all but stopped compiling: a round, and a pause after it, in which
    /// it compiled fewer than 5 % of the methods the first round did. .NET first runs a method unoptimised, counts its
    /// calls only once no new method has been compiled for 100 ms, then recompiles it with instrumentation and once more
    /// with full optimisation, on a background thread that competes with the load for the two cores. After a fixed
    /// 500 calls, 40 % of the in-process dry run's time was still spent in code not yet optimised; a server runs for
    /// hours, and steady-state code is what it runs. Rarely run paths (new HTTP connections, pool scavenging) keep
    /// compiling a few methods now and then, so the count never reaches zero. Returns the methods compiled per round, and
    /// whether the last round was quiet (false: <paramref name="maxRounds"/> ran out first).
    /// </summary>
    public static async Task<(IReadOnlyList<int> CompiledPerRound, bool Quiet)> WarmUpAsync(Func<Task> round, int maxRounds, CancellationToken cancellationToken)
    {
        var compiledPerRound = new List<int>();
        while (compiledPerRound.Count < maxRounds)
        {
            var before = JitInfo.GetCompiledMethodCount();
            await round();

            // Longer than the runtime's 100 ms call-counting delay, and time for the background recompilations.
            await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
            compiledPerRound.Add((int)(JitInfo.GetCompiledMethodCount() - before));
            if (compiledPerRound.Count > 1 && compiledPerRound[^1] < compiledPerRound[0] / 20)
            {
                return (compiledPerRound, true);
            }
        }

        return (compiledPerRound, false);
    }
}
