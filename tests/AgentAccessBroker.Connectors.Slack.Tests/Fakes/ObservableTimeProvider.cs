using System.Threading.Channels;
using AgentAccessBroker.Testing;
using Microsoft.Extensions.Time.Testing;
using AgentAccessBroker.Testing.Fakes;

namespace AgentAccessBroker.Connectors.Slack.Tests.Fakes;

/// <summary>A manual clock that also reports each timer the code under test starts, so a test can await "the client is
/// now waiting N seconds" and then advance exactly that far.</summary>
internal sealed class ObservableTimeProvider : TimeProvider
{
    private readonly FakeTimeProvider _clock = new(TestClock.Start);
    private readonly Channel<TimeSpan> _timers = Channel.CreateUnbounded<TimeSpan>();

    public override DateTimeOffset GetUtcNow() => _clock.GetUtcNow();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = _clock.CreateTimer(callback, state, dueTime, period);
        if (dueTime != Timeout.InfiniteTimeSpan)
        {
            _timers.Writer.TryWrite(dueTime);
        }

        return timer;
    }

    public void Advance(TimeSpan by) => _clock.Advance(by);

    /// <summary>The due time of the next timer started; fails after a bounded wait.</summary>
    public async Task<TimeSpan> NextTimerAsync() =>
        await _timers.Reader.ReadAsync().AsTask().WaitAsync(Signal.DefaultTimeout);

    public bool HasPendingTimerReport => _timers.Reader.TryPeek(out _);
}
