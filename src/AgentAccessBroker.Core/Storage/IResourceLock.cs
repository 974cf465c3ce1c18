namespace AgentAccessBroker.Storage;

/// <summary>
/// Mutual exclusion on a named resource (for example one AWS role's deny policy) across every broker node that shares
/// the store: a PostgreSQL advisory lock when clustered, an in-process lock on the single-node SQLite store.
/// </summary>
public interface IResourceLock
{
    /// <summary>Waits for the lock on <paramref name="key"/>; disposing the result releases it.</summary>
    Task<IAsyncDisposable> AcquireAsync(string key, CancellationToken cancellationToken);
}
