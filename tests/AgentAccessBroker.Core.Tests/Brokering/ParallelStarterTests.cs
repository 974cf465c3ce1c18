using AgentAccessBroker.Brokering;

namespace AgentAccessBroker.Core.Tests.Brokering;

public sealed class ParallelStarterTests
{
    [Fact]
    public async Task Run_Work_RunsOnAStarterThreadWithItsResult()
    {
        using var starter = new ParallelStarter(2);

        var ranOn = await starter.Run(() => Thread.CurrentThread.Name);

        Assert.StartsWith("aab-start-", ranOn);
    }

    [Fact]
    public async Task Run_CallerAlreadyWaiting_GoesOnOnTheThreadThatRanTheWork()
    {
        using var starter = new ParallelStarter(1);
        using var release = new ManualResetEventSlim();
        var work = starter.Run(() => release.Wait(TimeSpan.FromSeconds(10)));

        // No synchronization context (as in ASP.NET Core): the continuation is not posted anywhere else.
        async Task<(bool, string?)> WaitAsync()
        {
            var result = await work.ConfigureAwait(false);
            return (result, Thread.CurrentThread.Name);
        }

        // The work cannot finish before release: the caller is certainly waiting for it.
        var waiting = WaitAsync();
        release.Set();
        var (released, continuedOn) = await waiting;

        Assert.True(released);
        Assert.Equal("aab-start-0", continuedOn);
    }

    [Fact]
    public async Task Run_WorkThrows_FaultsWithItsExceptionAndTheThreadServesOn()
    {
        using var starter = new ParallelStarter(1);

        var failed = await Assert.ThrowsAsync<InvalidOperationException>(() => starter.Run<int>(() => throw new InvalidOperationException("no entropy")));
        var next = await starter.Run(() => 7);

        Assert.Equal(("no entropy", 7), (failed.Message, next));
    }

    [Fact]
    public async Task Run_EveryThreadBusy_RunsOnThePoolWithoutWaiting()
    {
        using var starter = new ParallelStarter(1);
        using var release = new ManualResetEventSlim();
        var busy = starter.Run(() => release.Wait(TimeSpan.FromSeconds(10)));

        var ranOn = await starter.Run(() => Thread.CurrentThread.Name).WaitAsync(TimeSpan.FromSeconds(5));
        var stillBusy = !busy.IsCompleted;
        release.Set();

        // Not awaited: an awaiting caller would go on on the starter thread itself, which could then never be free.
        var freed = SpinWait.SpinUntil(() => busy.IsCompleted && starter.IdleThreads == 1, TimeSpan.FromSeconds(5));
        var freedOn = await starter.Run(() => Thread.CurrentThread.Name);

        Assert.True(stillBusy, "the first work finished before the second started: nothing was tested");
        Assert.False(ranOn?.StartsWith("aab-start-", StringComparison.Ordinal) ?? false, $"ran on {ranOn}");
        Assert.True(freed, "the starter thread never counted itself free again");
        Assert.Equal("aab-start-0", freedOn);
    }

    [Fact]
    public async Task Dispose_WhileWorkRuns_LetsItFinishThenRefusesMore()
    {
        var starter = new ParallelStarter(1);
        using var release = new ManualResetEventSlim();
        var running = starter.Run(() => release.Wait(TimeSpan.FromSeconds(10)));

        release.Set();
        starter.Dispose();
        starter.Dispose();
        Action runAfterDispose = () => starter.Run(() => 1);

        Assert.True(await running);
        Assert.Throws<ObjectDisposedException>(runAfterDispose);
    }

    [Fact]
    public async Task Dispose_FromACallerGoingOnOnAStarterThread_DoesNotWaitForItself()
    {
        var starter = new ParallelStarter(1);
        using var release = new ManualResetEventSlim();
        var work = starter.Run(() => release.Wait(TimeSpan.FromSeconds(10)));

        async Task<string?> DisposeAfterAsync()
        {
            await work.ConfigureAwait(false);
            starter.Dispose();
            return Thread.CurrentThread.Name;
        }

        var disposing = DisposeAfterAsync();
        release.Set();

        var disposedOn = await disposing.WaitAsync(TimeSpan.FromSeconds(10));
        Action runAfterDispose = () => starter.Run(() => 1);

        Assert.Equal("aab-start-0", disposedOn);
        Assert.Throws<ObjectDisposedException>(runAfterDispose);
    }

    [Fact]
    public void Constructor_NoThreads_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new ParallelStarter(0));
}
