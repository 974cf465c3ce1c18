using System.Collections.Concurrent;
using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentAccessBroker.Storage;

/// <summary>
/// The embedded, single-node store: one SQLite file in WAL mode (readers never block the writer), with foreign keys on.
/// SQLite allows one writer at a time, so every write runs as <c>BEGIN IMMEDIATE</c> (it takes the write lock up front and
/// never fails half-way on a lock upgrade) behind one in-process queue per database file, so dozens of concurrent agents
/// wait their turn instead of spinning on SQLITE_BUSY. The writer keeps one connection open and prepares each statement
/// once on it (see <see cref="PreparedStatements"/>); reads do the same on a few idle reader connections that the store
/// keeps. <see cref="IResourceLock"/> is an in-process keyed lock, which is
/// enough because SQLite is single-node only (Quartz refuses clustering on it as well).
/// </summary>
public sealed class SqliteBrokerStore : BrokerStore
{
    /// <summary>The file name used inside a data directory when only a directory is configured.</summary>
    public const string DefaultFileName = "broker.db";

    private const int BusyTimeoutMilliseconds = 30_000;
    private const string SynchronousFull = "PRAGMA synchronous = FULL";
    private const string SynchronousNormal = "PRAGMA synchronous = NORMAL";

    // Idle reader connections kept with their prepared statements; a read finding none opens another, and readers
    // beyond this many are closed when they finish (a burst of concurrent reads does not keep its connections).
    private const int MaxIdleReaders = 8;

    // How long disposing waits for a write in flight to end before leaving the writer's connection to that write.
    private static readonly TimeSpan WriterDrainTimeout = TimeSpan.FromSeconds(5);

    private static readonly ConcurrentDictionary<string, SemaphoreSlim> Writers = new(StringComparer.Ordinal);
    private static readonly InProcessKeyedLock ResourceLocks = new();

    private readonly string _connectionString;
    private readonly SemaphoreSlim _writerSlot;
    private readonly ConcurrentBag<(SqliteConnection Connection, PreparedStatements Statements)> _idleReaders = [];
    private (SqliteConnection? Connection, PreparedStatements? Statements) _writer;
    private bool _writerWaitsForDisk;
    private int _disposed;

    static SqliteBrokerStore() => SQLitePCL.Batteries_V2.Init();

    /// <summary>
    /// Opens (and on <see cref="BrokerStore.MigrateAsync"/> creates) the database file at <paramref name="databasePath"/>;
    /// an existing directory means <see cref="DefaultFileName"/> inside it.
    /// </summary>
    public SqliteBrokerStore(string databasePath, TimeProvider? timeProvider = null, ILogger<SqliteBrokerStore>? logger = null)
        : base(timeProvider ?? TimeProvider.System, logger ?? NullLogger<SqliteBrokerStore>.Instance)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        DatabasePath = Path.GetFullPath(Directory.Exists(databasePath) ? Path.Combine(databasePath, DefaultFileName) : databasePath);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = DatabasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            ForeignKeys = true,
            Pooling = true,
        }.ToString();
        _writerSlot = Writers.GetOrAdd(DatabasePath, _ => new SemaphoreSlim(1, 1));
        StorageLog.SqliteOpened(Logger, DatabasePath);
    }

    /// <summary>The absolute path of the database file (the Quartz job store can use the same file).</summary>
    public string DatabasePath { get; }

    /// <inheritdoc />
    public override string Provider => BrokerStoreFactory.Sqlite;

    private protected override string ForUpdate => string.Empty;

    private protected override string ForShare => string.Empty;

    private protected override IReadOnlyList<string> AppendOnlyGuard =>
    [
        "CREATE TRIGGER aab_audit_events_no_update BEFORE UPDATE ON aab_audit_events BEGIN SELECT RAISE(ABORT, 'aab_audit_events is append-only'); END",
        "CREATE TRIGGER aab_audit_events_no_delete BEFORE DELETE ON aab_audit_events BEGIN SELECT RAISE(ABORT, 'aab_audit_events is append-only'); END",
    ];

    private protected override IReadOnlyList<string> HistoryStampGuard =>
    [
        .. new[] { "aab_agent_history", "aab_task_history" }.Select(table =>
            $"CREATE TRIGGER {table}_stamp AFTER UPDATE OF data ON {table} WHEN NEW.stamp = OLD.stamp AND NEW.stamp <> 0 " +
            $"BEGIN UPDATE {table} SET stamp = 0 WHERE rowid = NEW.rowid; END"),
    ];

    /// <inheritdoc />
    public override Task<IAsyncDisposable> AcquireAsync(string key, CancellationToken cancellationToken) =>
        ResourceLocks.AcquireAsync(DatabasePath + "\n" + key, cancellationToken);

    public override string ToString() => $"SqliteBrokerStore {{ DatabasePath = {DatabasePath} }}";

    public override async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            // The writer's connection belongs to whoever holds the writer slot. A write still running on another thread
            // (a background revocation at shutdown) keeps it and closes it itself when it ends (see BeginWriteAsync);
            // closing it here, under that write, broke the write's transaction.
            if (await _writerSlot.WaitAsync(WriterDrainTimeout))
            {
                try
                {
                    CloseWriter();
                }
                finally
                {
                    _writerSlot.Release();
                }
            }

            CloseIdleReaders();

            // Close pooled handles so the file can be moved or deleted; other stores on the file reopen on demand.
            using var connection = new SqliteConnection(_connectionString);
            SqliteConnection.ClearPool(connection);
        }
    }

    /// <summary>
    /// A read on an idle reader connection, whose statements stay prepared between reads. A reader runs one statement
    /// and resets it (releasing its WAL snapshot) before it goes back, so idle readers never hold up a checkpoint.
    /// </summary>
    private protected override async Task<IReadOnlyList<T>> QueryAsync<T>(string sql, object? parameters, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (!_idleReaders.TryTake(out var reader))
        {
            var connection = (SqliteConnection)await OpenAsync(cancellationToken);
            reader = (connection, new PreparedStatements(connection));
        }

        var reusable = false;
        try
        {
            var rows = reader.Statements.Query<T>(sql, parameters, transaction: null);
            reusable = true;
            return rows;
        }
        finally
        {
            if (reusable && Volatile.Read(ref _disposed) == 0 && _idleReaders.Count < MaxIdleReaders)
            {
                _idleReaders.Add(reader);

                // A store disposed meanwhile has already closed its idle readers; close this one too.
                if (Volatile.Read(ref _disposed) != 0)
                {
                    CloseIdleReaders();
                }
            }
            else
            {
                Close(reader);
            }
        }
    }

    /// <summary>
    /// A pooled connection for reading. WAL readers never wait for the writer, and Microsoft.Data.Sqlite retries the
    /// rare busy answer itself, so readers need no per-open settings.
    /// </summary>
    private protected override async ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private async ValueTask<SqliteConnection> OpenWriterAsync(CancellationToken cancellationToken)
    {
        var connection = (SqliteConnection)await OpenAsync(cancellationToken);
        try
        {
            // Wait for the lock held by another process (the CLI) instead of failing, and make every commit durable
            // before it returns (FULL: the WAL is synced at each commit, not only at checkpoints), so that not even a
            // power loss can forget a lease row whose credential exists outside.
            await connection.ExecuteAsync($"PRAGMA busy_timeout = {BusyTimeoutMilliseconds}; {SynchronousFull};");
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private protected override async ValueTask<WriteScope> BeginWriteAsync(bool waitForDisk, CancellationToken cancellationToken)
    {
        var slot = await EnterWriterAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

            // The writer keeps one connection open with its prepared statements; only the slot holder touches it.
            if (_writer.Connection is null)
            {
                var connection = await OpenWriterAsync(cancellationToken);
                _writer = (connection, new PreparedStatements(connection));
                _writerWaitsForDisk = true;
            }

            var (open, statements) = (_writer.Connection, _writer.Statements!);
            if (_writerWaitsForDisk != waitForDisk)
            {
                // NORMAL in WAL mode: a commit is written to the WAL file (the operating system has it) but not synced;
                // the next FULL commit or checkpoint syncs it together with everything before it. Not a prepared
                // statement: SQLite applies this pragma when it compiles it, so a reused one does not reliably switch.
                open.Execute(waitForDisk ? SynchronousFull : SynchronousNormal);
                _writerWaitsForDisk = waitForDisk;
            }

            return new WriteScope(open, open.BeginTransaction(deferred: false), statements, committed =>
            {
                // A transaction that did not commit ended in an error: start the next one on a fresh connection
                // rather than trust this one's state. A store disposed meanwhile left its writer to this write to close.
                if (!committed || Volatile.Read(ref _disposed) != 0)
                {
                    CloseWriter();
                }

                slot.Dispose();
                return ValueTask.CompletedTask;
            });
        }
        catch
        {
            CloseWriter();
            slot.Dispose();
            throw;
        }
    }

    /// <summary>The writer connection's <c>PRAGMA synchronous</c> as the last write left it (2 FULL, 1 NORMAL); for tests.</summary>
    internal async Task<long> WriterSynchronousAsync()
    {
        using var slot = await EnterWriterAsync(CancellationToken.None);
        return _writer.Connection is { } connection
            ? connection.ExecuteScalar<long>("PRAGMA synchronous")
            : throw new InvalidOperationException("The store has not written yet.");
    }

    private void CloseIdleReaders()
    {
        while (_idleReaders.TryTake(out var reader))
        {
            Close(reader);
        }
    }

    private static void Close((SqliteConnection Connection, PreparedStatements Statements) reader)
    {
        reader.Statements.Dispose();
        reader.Connection.Dispose();
    }

    /// <summary>Closes the writer's connection (and its statements); called only by the writer slot holder or on dispose.</summary>
    private void CloseWriter()
    {
        var (connection, statements) = _writer;
        _writer = (null, null);
        statements?.Dispose();
        connection?.Dispose();
    }

    // BEGIN IMMEDIATE in BeginWriteAsync already excludes every other writer, in this process and others.
    private protected override Task LockSchemaAsync(WriteScope scope, CancellationToken cancellationToken) => Task.CompletedTask;

    private protected override async Task PrepareDatabaseAsync(CancellationToken cancellationToken)
    {
        var directory = Path.GetDirectoryName(DatabasePath);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        // WAL is a property of the file and cannot be switched inside a transaction; it persists once set.
        using var slot = await EnterWriterAsync(cancellationToken);
        await using var connection = await OpenWriterAsync(cancellationToken);
        var mode = await connection.ExecuteScalarAsync<string>("PRAGMA journal_mode = WAL");
        if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"SQLite refused WAL mode for {DatabasePath} (journal mode is '{mode}').");
        }
    }

    private async Task<IDisposable> EnterWriterAsync(CancellationToken cancellationToken)
    {
        await _writerSlot.WaitAsync(cancellationToken);
        return new WriterSlot(_writerSlot);
    }

    private sealed class WriterSlot(SemaphoreSlim writer) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                writer.Release();
            }
        }
    }
}
