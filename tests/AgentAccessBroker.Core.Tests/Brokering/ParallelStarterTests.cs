using AgentAccessBroker.Brokering;

namespace AgentAccessBroker.Core.Tests.Brokering;

public sealed class ParallelStarterTests
{
    [Fact]
    public async Task StartAsync_Work_StartsOnAStarterThreadAndItsCallerContinuesOffIt()
    {
        using var starter = new ParallelStarter(2);

        var startedOn = await starter.StartAsync(() => Task.FromResult(Thread.CurrentThread.Name));
        var continuedOn = Thread.CurrentThread.Name;

        Assert.StartsWith("aab-start-", startedOn);
        Assert.False(continuedOn?.StartsWith("aab-start-", StringComparison.Ordinal) ?? false, $"continued on {continuedOn}");
    }

    [Fact]
    public async Task StartAsync_WorkWaits_ContinuesOffTheStarterThreadWithItsResult()
    {
        using var starter = new ParallelStarter(1);

        var (result, resumedOn) = await starter.StartAsync(async () =>
        {
            await Task.Yield();
            return (42, Thread.CurrentThread.Name);
        });

        Assert.Equal(42, result);
        Assert.False(resumedOn?.StartsWith("aab-start-", StringComparison.Ordinal) ?? false, $"resumed on {resumedOn}");
    }

    [Fact]
    public async Task StartAsync_WorkThrows_FaultsWithItsExceptionAndTheThreadServesOn()
    {
        using var starter = new ParallelStarter(1);

        var before = await Assert.ThrowsAsync<InvalidOperationException>(() => starter.StartAsync<int>(() => throw new InvalidOperationException("before any wait")));
        var after = await Assert.ThrowsAsync<InvalidOperationException>(() => starter.StartAsync<int>(async () =>
        {
            await Task.Yield();
            throw new InvalidOperationException("after a wait");
        }));
        var next = await starter.StartAsync(() => Task.FromResult(7));

        Assert.Equal(("before any wait", "after a wait", 7), (before.Message, after.Message, next));
    }

    [Fact]
    public async Task StartAsync_WorkCanceled_IsCanceledWithItsToken()
    {
        using var starter = new ParallelStarter(1);
        using var cancellation = new CancellationTokenSource();
        await cancellation.CancelAsync();

        var canceled = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => starter.StartAsync(() => Task.FromCanceled<int>(cancellation.Token)));

        Assert.Equal(cancellation.Token, canceled.CancellationToken);
    }

    [Fact]
    public async Task Dispose_WithQueuedWork_StartsItThenRefusesMore()
    {
        var starter = new ParallelStarter(1);
        using var release = new ManualResetEventSlim();
        var first = starter.StartAsync(() => Task.FromResult(release.Wait(TimeSpan.FromSeconds(10))));
        var queued = starter.StartAsync(() => Task.FromResult("started"));

        release.Set();
        starter.Dispose();
        starter.Dispose();
        Action startAfterDispose = () => starter.StartAsync(() => Task.FromResult(1));

        Assert.True(await first);
        Assert.Equal("started", await queued);
        Assert.Throws<ObjectDisposedException>(startAfterDispose);
    }

    [Fact]
    public void Constructor_NoThreads_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new ParallelStarter(0));
}
