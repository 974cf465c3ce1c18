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
    public async Task StartAsync_EveryThreadBusy_StartsOnThePoolWithoutWaiting()
    {
        using var starter = new ParallelStarter(1);
        using var release = new ManualResetEventSlim();
        var busy = starter.StartAsync(() => Task.FromResult(release.Wait(TimeSpan.FromSeconds(10))));

        var startedOn = await starter.StartAsync(() => Task.FromResult(Thread.CurrentThread.Name)).WaitAsync(TimeSpan.FromSeconds(5));
        var stillBusy = !busy.IsCompleted;
        release.Set();
        await busy;
        var freed = SpinWait.SpinUntil(() => starter.IdleThreads == 1, TimeSpan.FromSeconds(5));
        var freedOn = await starter.StartAsync(() => Task.FromResult(Thread.CurrentThread.Name));

        Assert.True(stillBusy, "the first work finished before the second started: nothing was tested");
        Assert.False(startedOn?.StartsWith("aab-start-", StringComparison.Ordinal) ?? false, $"started on {startedOn}");
        Assert.True(freed, "the starter thread never counted itself free again");
        Assert.Equal("aab-start-0", freedOn);
    }

    [Fact]
    public async Task Dispose_WhileWorkRuns_LetsItFinishThenRefusesMore()
    {
        var starter = new ParallelStarter(1);
        using var release = new ManualResetEventSlim();
        var running = starter.StartAsync(() => Task.FromResult(release.Wait(TimeSpan.FromSeconds(10))));

        release.Set();
        starter.Dispose();
        starter.Dispose();
        Action startAfterDispose = () => starter.StartAsync(() => Task.FromResult(1));

        Assert.True(await running);
        Assert.Throws<ObjectDisposedException>(startAfterDispose);
    }

    [Fact]
    public void Constructor_NoThreads_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new ParallelStarter(0));
}
