using System.Collections.Concurrent;

namespace AgentAccessBroker.Connectors.Azure.Tests.Support;

/// <summary>
/// A clock on which every wait ends at once: a timer records its due time, moves the clock forward by it and fires.
/// Retry back-off then takes no real time, and tests read exactly which delays were chosen.
/// </summary>
internal sealed class RecordingTimeProvider : TimeProvider
{
    private readonly Lock _gate = new();
    private readonly ConcurrentQueue<TimeSpan> _waits = new();
    private DateTimeOffset _now = new(2026, 11, 21, 9, 0, 0, TimeSpan.Zero);

    public IReadOnlyList<TimeSpan> Waits => [.. _waits];

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate)
        {
            return _now;
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new FiringTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    private void Wait(TimeSpan dueTime, TimerCallback callback, object? state)
    {
        _waits.Enqueue(dueTime);
        lock (_gate)
        {
            _now += dueTime;
        }

        // Fire on the pool: the caller is still inside CreateTimer/Change and has not finished wiring the timer up.
        ThreadPool.QueueUserWorkItem(_ => callback(state));
    }

    private sealed class FiringTimer(RecordingTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        private bool _disposed;

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            if (!_disposed && dueTime != Timeout.InfiniteTimeSpan)
            {
                owner.Wait(dueTime, callback, state);
            }

            return !_disposed;
        }

        public void Dispose() => _disposed = true;

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
