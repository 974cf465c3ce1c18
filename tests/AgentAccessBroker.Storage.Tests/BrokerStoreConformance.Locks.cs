namespace AgentAccessBroker.Storage.Tests;

public abstract partial class BrokerStoreConformance
{
    [Fact]
    public async Task AcquireAsync_KeyHeldByAnotherNode_WaitsUntilReleased()
    {
        var second = OpenStore(Location);
        var held = await Store.AcquireAsync("aws:role/billing", CancellationToken.None);

        var waiting = second.AcquireAsync("aws:role/billing", CancellationToken.None);
        await WaitUntilLockIsContendedAsync(Location);

        Assert.False(waiting.IsCompleted);
        await held.DisposeAsync();
        await using var acquired = await waiting;
    }

    [Fact]
    public async Task AcquireAsync_DifferentKeys_DoNotBlockEachOther()
    {
        var second = OpenStore(Location);
        await using var held = await Store.AcquireAsync("aws:role/billing", CancellationToken.None);

        await using var other = await second.AcquireAsync("aws:role/reporting", CancellationToken.None);
        await using var again = await Store.AcquireAsync("azure:scope/1", CancellationToken.None);
    }

    [Fact]
    public async Task AcquireAsync_CancelledWhileWaiting_ThrowsAndLeavesLockUsable()
    {
        var second = OpenStore(Location);
        var held = await Store.AcquireAsync("k", CancellationToken.None);
        using var cancellation = new CancellationTokenSource();

        var waiting = second.AcquireAsync("k", cancellation.Token);
        await WaitUntilLockIsContendedAsync(Location);
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        await held.DisposeAsync();
        await using var next = await second.AcquireAsync("k", CancellationToken.None);
    }

    [Fact]
    public async Task AcquireAsync_ManyWorkersOnTwoNodes_NeverOverlapInsideTheLock()
    {
        var second = OpenStore(Location);
        var inside = 0;
        var maxInside = 0;
        var entries = 0;

        await RaceAsync(8, async i =>
        {
            var store = i % 2 == 0 ? Store : second;
            for (var round = 0; round < 5; round++)
            {
                await using (await store.AcquireAsync("shared", CancellationToken.None))
                {
                    var now = Interlocked.Increment(ref inside);
                    InterlockedMax(ref maxInside, now);
                    Interlocked.Increment(ref entries);

                    // A real round trip while holding the lock gives other workers time to barge in if they could.
                    await store.GetPrincipalAsync("nobody", CancellationToken.None);
                    Interlocked.Decrement(ref inside);
                }
            }

            return i;
        });

        Assert.Equal(40, entries);
        Assert.Equal(1, maxInside);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
