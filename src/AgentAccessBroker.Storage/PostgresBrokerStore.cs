using System.Data.Common;
using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace AgentAccessBroker.Storage;

/// <summary>
/// The store for several broker nodes sharing one PostgreSQL database. Decisions and lease transitions are
/// compare-and-set updates (<c>WHERE status = expected</c>, judged by the row count), read-modify-write paths lock their
/// rows with <c>SELECT ... FOR UPDATE</c>, and <see cref="IResourceLock"/> is a PostgreSQL advisory lock, so the
/// guarantees hold across nodes, not just within one process.
/// </summary>
/// <remarks>The connection string is a secret: it is never logged, never echoed in an exception, and not in <see cref="ToString"/>.</remarks>
public sealed class PostgresBrokerStore : BrokerStore
{
    // Advisory locks taken with two int keys never collide with the single-bigint keys of resource locks
    // (PostgreSQL keeps the two key spaces apart); the first key marks this application ("aab\0").
    private const int AdvisoryNamespace = 0x61616200;
    private const int SchemaLockKey = 1;

    private readonly NpgsqlDataSource _dataSource;
    private readonly string? _host;
    private readonly int _port;
    private readonly string? _database;
    private int _disposed;

    /// <summary>Connects with <paramref name="connectionString"/> (an Npgsql connection string; pooling recommended).</summary>
    public PostgresBrokerStore(string connectionString, TimeProvider? timeProvider = null, ILogger<PostgresBrokerStore>? logger = null)
        : base(timeProvider ?? TimeProvider.System, logger ?? NullLogger<PostgresBrokerStore>.Instance)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        NpgsqlDataSourceBuilder builder;
        try
        {
            builder = new NpgsqlDataSourceBuilder(connectionString);
        }
        catch (ArgumentException)
        {
            // The parser's message may quote part of the string, which can hold a password: say only that it is invalid.
            throw new ArgumentException("The PostgreSQL connection string is not valid.", nameof(connectionString));
        }

        _host = builder.ConnectionStringBuilder.Host;
        _port = builder.ConnectionStringBuilder.Port;
        _database = builder.ConnectionStringBuilder.Database;
        _dataSource = builder.Build();
        StorageLog.PostgresOpened(Logger, _host, _port, _database);
    }

    /// <inheritdoc />
    public override string Provider => BrokerStoreFactory.Postgres;

    private protected override string ForUpdate => " FOR UPDATE";

    private protected override string ForShare => " FOR SHARE";

    private protected override IReadOnlyList<string> HistoryStampGuard =>
    [
        """
        CREATE FUNCTION aab_history_stamp_changes() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF NEW.stamp = OLD.stamp THEN
                NEW.stamp := 0;
            END IF;
            RETURN NEW;
        END
        $$
        """,
        "CREATE TRIGGER aab_agent_history_stamp BEFORE UPDATE OF data ON aab_agent_history FOR EACH ROW EXECUTE FUNCTION aab_history_stamp_changes()",
        "CREATE TRIGGER aab_task_history_stamp BEFORE UPDATE OF data ON aab_task_history FOR EACH ROW EXECUTE FUNCTION aab_history_stamp_changes()",
    ];

    private protected override IReadOnlyList<string> AppendOnlyGuard =>
    [
        """
        CREATE FUNCTION aab_audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'aab_audit_events is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
        END
        $$
        """,
        """
        CREATE TRIGGER aab_audit_events_no_change BEFORE UPDATE OR DELETE ON aab_audit_events
        FOR EACH ROW EXECUTE FUNCTION aab_audit_events_append_only()
        """,
        """
        CREATE TRIGGER aab_audit_events_no_truncate BEFORE TRUNCATE ON aab_audit_events
        FOR EACH STATEMENT EXECUTE FUNCTION aab_audit_events_append_only()
        """,
    ];

    /// <summary>
    /// Takes a transaction-level advisory lock on a pooled connection and keeps the transaction open until disposed.
    /// Ending the transaction (commit, rollback, a broken connection or a crashed node) always releases the lock, so it
    /// cannot leak into the pool.
    /// </summary>
    public override async Task<IAsyncDisposable> AcquireAsync(string key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await connection.ExecuteAsync(Command(
                "SELECT pg_advisory_xact_lock(hashtextextended(@Key, 0))", new { Key = key }, transaction, cancellationToken));
            return new AdvisoryLockHolder(connection, transaction);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public override string ToString() => $"PostgresBrokerStore {{ Host = {_host}, Port = {_port}, Database = {_database} }}";

    public override async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            await _dataSource.DisposeAsync();
        }
    }

    private protected override async ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken) =>
        await _dataSource.OpenConnectionAsync(cancellationToken);

    private protected override async ValueTask<WriteScope> BeginWriteAsync(bool waitForDisk, CancellationToken cancellationToken)
    {
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken);
            if (!waitForDisk)
            {
                // PostgreSQL's asynchronous commit, for this transaction only: its WAL record is flushed by the WAL
                // writer shortly after, or by the next transaction that waits for the disk, whichever comes first.
                await connection.ExecuteAsync(Command("SET LOCAL synchronous_commit = off", null, transaction, cancellationToken));
            }

            return new WriteScope(connection, transaction, null, _ => connection.DisposeAsync());
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private protected override Task LockSchemaAsync(WriteScope scope, CancellationToken cancellationToken) =>
        scope.Connection.ExecuteAsync(Command(
            "SELECT pg_advisory_xact_lock(@Namespace, @Key)",
            new { Namespace = AdvisoryNamespace, Key = SchemaLockKey },
            scope.Transaction,
            cancellationToken));

    private sealed class AdvisoryLockHolder(NpgsqlConnection connection, NpgsqlTransaction transaction) : IAsyncDisposable
    {
        private int _released;

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                try
                {
                    await transaction.RollbackAsync();
                }
                catch (NpgsqlException)
                {
                    // The session is gone (broken connection, server restart), and the lock ended with it.
                }
                finally
                {
                    await transaction.DisposeAsync();
                    await connection.DisposeAsync();
                }
            }
        }
    }
}
