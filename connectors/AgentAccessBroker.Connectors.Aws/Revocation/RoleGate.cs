using System.Collections.Concurrent;
using AgentAccessBroker.Storage;

namespace AgentAccessBroker.Connectors.Aws.Revocation;

/// <summary>
/// Serialises read-modify-write of one role's deny policy: a semaphore per role inside this process, then the shared
/// <see cref="IResourceLock"/> (when the host registered one) across clustered nodes. PutRolePolicy replaces the whole
/// document, so two unserialised writers would silently drop each other's entries.
/// </summary>
internal sealed class RoleGate(IResourceLock? clusterLock)
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _local = new(StringComparer.Ordinal);

    public static string LockKey(string roleArn) => "aws:role-deny-policy:" + roleArn;

    public async Task<IAsyncDisposable> EnterAsync(string roleArn, CancellationToken cancellationToken)
    {
        var local = _local.GetOrAdd(roleArn, static _ => new SemaphoreSlim(1, 1));
        await local.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var cluster = clusterLock is null ? null : await clusterLock.AcquireAsync(LockKey(roleArn), cancellationToken).ConfigureAwait(false);
            return new Held(local, cluster);
        }
        catch
        {
            local.Release();
            throw;
        }
    }

    private sealed class Held(SemaphoreSlim local, IAsyncDisposable? cluster) : IAsyncDisposable
    {
        private int _released;

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _released, 1) == 1)
            {
                return;
            }

            try
            {
                if (cluster is not null)
                {
                    await cluster.DisposeAsync().ConfigureAwait(false);
                }
            }
            finally
            {
                local.Release();
            }
        }
    }
}
