namespace AgentAccessBroker.Testing.Fakes;

/// <summary>Wakes waiters whenever something changes, so tests wait for a condition instead of sleeping.</summary>
public sealed class Signal
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(15);

    private TaskCompletionSource _changed = NewSource();

    public void Pulse() => Interlocked.Exchange(ref _changed, NewSource()).TrySetResult();

    /// <summary>Waits until <paramref name="condition"/> holds, re-checking after every pulse; fails after a bounded time.</summary>
    public async Task WaitUntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (true)
        {
            var changed = Volatile.Read(ref _changed).Task;
            if (condition())
            {
                return;
            }

            var remaining = deadline - DateTime.UtcNow;
            if (remaining <= TimeSpan.Zero)
            {
                throw new TimeoutException("Timed out waiting for: " + what);
            }

            try
            {
                await changed.WaitAsync(remaining);
            }
            catch (TimeoutException)
            {
                if (!condition())
                {
                    throw new TimeoutException("Timed out waiting for: " + what);
                }

                return;
            }
        }
    }

    private static TaskCompletionSource NewSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
