using System.Collections.Concurrent;

namespace AgentAccessBroker.Brokering;

/// <summary>
/// Starts asynchronous work at once on a dedicated thread, for a caller that has CPU work of its own to do meanwhile:
/// a grant writes its lease row while its thread derives the credential's key (about 3 ms of CPU). Handed to the .NET
/// thread pool instead (<c>Task.Run</c>), the write started 1–3 ms late on two cores, often only after the key was
/// done: the pool adds a worker slowly while another is busy with CPU work (docs/PERFORMANCE.md). A thread waiting
/// here wakes in about 0.07 ms. The work runs here only until its first real wait; it continues on the thread pool.
/// Work never queues behind other work: when every thread is busy (many grants at once, or a write that waits for the
/// disk before its first real wait), it starts on the thread pool, as it would have without this class.
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
    /// Starts <paramref name="work"/> on one of the threads, or on the thread pool when none is free. The task
    /// completes as the work's task does (result, exception or cancellation); its continuations run on the thread
    /// pool, never on a starter thread.
    /// </summary>
    public Task<T> StartAsync<T>(Func<Task<T>> work)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (Interlocked.Decrement(ref _idle) < 0)
        {
            Interlocked.Increment(ref _idle);
            _ = Task.Run(() => CompleteAsync(work, done));
            return done.Task;
        }

        try
        {
            _work.Add(() => _ = CompleteAsync(work, done));
        }
        catch (InvalidOperationException) when (Volatile.Read(ref _disposed) != 0)
        {
            Interlocked.Increment(ref _idle);
            throw new ObjectDisposedException(nameof(ParallelStarter));
        }

        return done.Task;
    }

    /// <summary>Lets the work already handed to the threads start, then stops them.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _work.CompleteAdding();
        foreach (var thread in _threads)
        {
            thread.Join();
        }

        _work.Dispose();
    }

    private static async Task CompleteAsync<T>(Func<Task<T>> work, TaskCompletionSource<T> done)
    {
        try
        {
            done.SetResult(await work());
        }
        catch (OperationCanceledException canceled)
        {
            done.SetCanceled(canceled.CancellationToken);
        }
        catch (Exception exception)
        {
            done.SetException(exception);
        }
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
