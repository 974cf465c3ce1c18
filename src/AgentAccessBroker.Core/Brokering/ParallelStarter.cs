using System.Collections.Concurrent;

namespace AgentAccessBroker.Brokering;

/// <summary>
/// Runs short CPU work at once on a dedicated thread while its caller goes on with work of its own: a request for a
/// credential derives the credential's key here (about 3 ms of CPU) while its own thread reads the agent's history,
/// assesses the request and writes the lease row. Handed to the .NET thread pool instead (<c>Task.Run</c>), such work
/// started 1–3 ms late on two cores, often only after the caller had finished: the pool adds a worker slowly while
/// another is busy with CPU work (docs/PERFORMANCE.md). A thread waiting here wakes in about 0.07 ms.
/// Work never queues behind other work: when every thread is busy (many requests at once), it runs on the thread pool,
/// as it would have without this class.
/// </summary>
public sealed class ParallelStarter : IDisposable
{
    private readonly BlockingCollection<Action> _work = [];
    private readonly Thread[] _threads;

    // Threads free to take work at once: taken when work is handed to one, given back when it finishes.
    private int _idle;
    private int _disposed;

    public ParallelStarter()
        : this(Environment.ProcessorCount)
    {
    }

    public ParallelStarter(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        _idle = threads;
        _threads = [.. Enumerable.Range(0, threads).Select(i => new Thread(Serve) { IsBackground = true, Name = $"aab-start-{i}" })];
        foreach (var thread in _threads)
        {
            thread.Start();
        }
    }

    /// <summary>Threads free to take work at once (for tests).</summary>
    internal int IdleThreads => Volatile.Read(ref _idle);

    /// <summary>
    /// Runs <paramref name="work"/> on one of the threads, or on the thread pool when none is free. The task completes
    /// with the work's result or exception. A caller already waiting for it goes on on the thread that ran the work,
    /// until its own next wait (for a grant: the provider's first call to the outside system), instead of waiting for
    /// a pool thread to wake; the thread takes new work only after that.
    /// </summary>
    public Task<T> Run<T>(Func<T> work)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (Interlocked.Decrement(ref _idle) < 0)
        {
            Interlocked.Increment(ref _idle);
            return Task.Run(work);
        }

        var done = new TaskCompletionSource<T>();
        try
        {
            _work.Add(() => Complete(work, done));
        }
        catch (InvalidOperationException) when (Volatile.Read(ref _disposed) != 0)
        {
            Interlocked.Increment(ref _idle);
            throw new ObjectDisposedException(nameof(ParallelStarter));
        }

        return done.Task;
    }

    /// <summary>
    /// Lets the work already handed to the threads run, then stops them. Called by a caller going on on one of the
    /// threads (see <see cref="Run{T}"/>), it does not wait for that thread, which stops once the caller lets it go.
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _work.CompleteAdding();
        var others = _threads.Where(t => t != Thread.CurrentThread).ToList();
        foreach (var thread in others)
        {
            thread.Join();
        }

        // The calling thread still reads the queue until it stops.
        if (others.Count == _threads.Length)
        {
            _work.Dispose();
        }
    }

    private static void Complete<T>(Func<T> work, TaskCompletionSource<T> done)
    {
        T result;
        try
        {
            result = work();
        }
        catch (Exception exception)
        {
            done.SetException(exception);
            return;
        }

        done.SetResult(result);
    }

    private void Serve()
    {
        foreach (var work in _work.GetConsumingEnumerable())
        {
            work();
            Interlocked.Increment(ref _idle);
        }
    }
}
