using System.Data.Common;

namespace AgentAccessBroker.Storage;

/// <summary>
/// One write transaction: its connection, its transaction and, on SQLite, the process-wide writer slot. Disposing
/// without <see cref="CommitAsync"/> rolls back.
/// </summary>
internal sealed class WriteScope(DbConnection connection, DbTransaction transaction, IDisposable? writerSlot) : IAsyncDisposable
{
    public DbConnection Connection { get; } = connection;

    public DbTransaction Transaction { get; } = transaction;

    public Task CommitAsync(CancellationToken cancellationToken) => Transaction.CommitAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Transaction.DisposeAsync();
            await Connection.DisposeAsync();
        }
        finally
        {
            writerSlot?.Dispose();
        }
    }
}
