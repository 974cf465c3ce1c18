using System.Data.Common;

namespace AgentAccessBroker.Storage;

/// <summary>
/// One write transaction: its connection, its transaction and what to do when it ends. On PostgreSQL the scope owns a
/// pooled connection; on SQLite it borrows the writer's long-lived connection and its prepared statements, and holds
/// the process-wide writer slot. Disposing without <see cref="CommitAsync"/> rolls back.
/// </summary>
internal sealed class WriteScope(DbConnection connection, DbTransaction transaction, PreparedStatements? statements, Func<bool, ValueTask> release) : IAsyncDisposable
{
    private bool _committed;

    public DbConnection Connection { get; } = connection;

    public DbTransaction Transaction { get; } = transaction;

    /// <summary>Statements prepared once and reused (SQLite's writer); null where each statement is sent as it comes.</summary>
    public PreparedStatements? Statements { get; } = statements;

    public async Task CommitAsync(CancellationToken cancellationToken)
    {
        await Transaction.CommitAsync(cancellationToken);
        _committed = true;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Transaction.DisposeAsync();
        }
        finally
        {
            await release(_committed);
        }
    }
}
