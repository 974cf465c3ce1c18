using System.Collections.Concurrent;
using AgentAccessBroker.Storage;

namespace AgentAccessBroker.Connectors.Aws.Tests.Support;

/// <summary>An <see cref="IResourceLock"/> shared by several provider instances, standing in for the store's cluster lock.</summary>
internal sealed class InMemoryResourceLock : IResourceLock
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _acquired = new(StringComparer.Ordinal);

    public int AcquiredCount(string key) => _acquired.GetValueOrDefault(key);

    public IReadOnlyCollection<string> Keys => _acquired.Keys.ToList();

    public async Task<IAsyncDisposable> AcquireAsync(string key, CancellationToken cancellationToken)
    {
        var gate = _locks.GetOrAdd(key, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        _acquired.AddOrUpdate(key, 1, (_, n) => n + 1);
        return new Release(gate);
    }

    private sealed class Release(SemaphoreSlim gate) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            gate.Release();
            return ValueTask.CompletedTask;
        }
    }
}
