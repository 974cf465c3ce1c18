using System.Data.Common;
using AgentAccessBroker.Audit;
using Dapper;
using Microsoft.Extensions.Logging;

namespace AgentAccessBroker.Storage;

/// <summary>
/// <see cref="IBrokerStore"/>, <see cref="IAuditLog"/> and <see cref="IResourceLock"/> over SQL, written once for both
/// engines. The two sealed subclasses (<see cref="SqliteBrokerStore"/>, <see cref="PostgresBrokerStore"/>) supply only
/// what truly differs: how a connection and a write transaction are obtained, row locking, the append-only guard on the
/// audit table, and the resource lock.
/// </summary>
/// <remarks>
/// Security contract: only token hashes are stored, never tokens; the store never logs a connection string or puts one
/// in an exception message; audit events can be appended but never changed or removed, and the database itself rejects
/// UPDATE and DELETE on them. Call <see cref="MigrateAsync"/> once at start-up before anything else.
/// </remarks>
public abstract partial class BrokerStore : IBrokerStore, IResourceLock, IAsyncDisposable
{
    private readonly TimeProvider _timeProvider;

    private protected BrokerStore(TimeProvider timeProvider, ILogger logger)
    {
        _timeProvider = timeProvider;
        Logger = logger;
    }

    private protected ILogger Logger { get; }

    /// <summary>The engine: <see cref="BrokerStoreFactory.Sqlite"/> or <see cref="BrokerStoreFactory.Postgres"/>.</summary>
    public abstract string Provider { get; }

    /// <summary>Appended to a SELECT that must lock the rows it reads until the transaction ends.</summary>
    private protected abstract string ForUpdate { get; }

    /// <summary>Statements that make the database itself refuse UPDATE and DELETE on <c>aab_audit_events</c>.</summary>
    private protected abstract IReadOnlyList<string> AppendOnlyGuard { get; }

    /// <summary>
    /// Triggers that set a history row's stamp to 0 when an UPDATE changes its data but not its stamp, so that no node
    /// keeps serving the aggregates it cached for the old stamp.
    /// </summary>
    private protected abstract IReadOnlyList<string> HistoryStampGuard { get; }

    private protected abstract ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>Opens a transaction that may write. On SQLite it holds the database's write lock from the start.</summary>
    /// <param name="waitForDisk">
    /// True for every transaction but two: its commit returns only once the disk has it. False: the commit returns
    /// once the database has it (a crash of the broker cannot lose it), without waiting for the disk's flush (a crash
    /// of the machine, or of the PostgreSQL server, may lose it, and with it only the transactions committed after
    /// it). See <see cref="ActivateLeaseAsync"/> and <see cref="StartRevocationAttemptAsync"/>.
    /// </param>
    private protected abstract ValueTask<WriteScope> BeginWriteAsync(bool waitForDisk, CancellationToken cancellationToken);

    /// <summary>Serialises schema migration across nodes, inside the migration transaction.</summary>
    private protected abstract Task LockSchemaAsync(WriteScope scope, CancellationToken cancellationToken);

    /// <summary>Database-wide settings that cannot be changed inside a transaction.</summary>
    private protected virtual Task PrepareDatabaseAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public abstract Task<IAsyncDisposable> AcquireAsync(string key, CancellationToken cancellationToken);

    public abstract ValueTask DisposeAsync();

    /// <inheritdoc />
    public Task MigrateAsync(CancellationToken cancellationToken) => MigrateThroughAsync(int.MaxValue, cancellationToken);

    /// <summary>Applies the migrations up to <paramref name="throughVersion"/> only: for tests that seed an older schema.</summary>
    internal async Task MigrateThroughAsync(int throughVersion, CancellationToken cancellationToken)
    {
        await PrepareDatabaseAsync(cancellationToken);
        var migrations = SchemaMigrations.All(AppendOnlyGuard, HistoryStampGuard).Where(m => m.Version <= throughVersion).ToList();

        await using var scope = await BeginWriteAsync(waitForDisk: true, cancellationToken);
        await LockSchemaAsync(scope, cancellationToken);
        await ExecuteAsync(scope, SchemaMigrations.CreateHistoryTable, null, cancellationToken);
        var applied = (await scope.Connection.QueryAsync<long>(Command(
            "SELECT version FROM aab_schema_migrations", null, scope.Transaction, cancellationToken))).ToHashSet();

        foreach (var migration in migrations.Where(m => !applied.Contains(m.Version)).OrderBy(m => m.Version))
        {
            foreach (var statement in migration.Statements)
            {
                await ExecuteAsync(scope, statement, null, cancellationToken);
            }

            await ExecuteAsync(
                scope,
                "INSERT INTO aab_schema_migrations (version, name, applied_at) VALUES (@Version, @Name, @AppliedAt)",
                new { Version = (long)migration.Version, migration.Name, AppliedAt = StoredTime.ToTicks(_timeProvider.GetUtcNow()) },
                cancellationToken);
            StorageLog.MigrationApplied(Logger, Provider, migration.Version, migration.Name);
        }

        await scope.CommitAsync(cancellationToken);

        var known = migrations.Max(m => m.Version);
        var newest = applied.Count == 0 ? known : Math.Max(applied.Max(), known);
        if (newest > known)
        {
            StorageLog.SchemaNewer(Logger, Provider, newest, known);
        }
        else
        {
            StorageLog.SchemaCurrent(Logger, Provider, newest);
        }
    }

    /// <summary>Runs <paramref name="work"/> in one write transaction and commits it durably.</summary>
    private protected Task<T> WriteAsync<T>(Func<WriteScope, Task<T>> work, CancellationToken cancellationToken) =>
        WriteAsync(work, waitForDisk: true, cancellationToken);

    /// <summary>Runs <paramref name="work"/> in one write transaction and commits it (see <see cref="BeginWriteAsync"/>).</summary>
    private protected async Task<T> WriteAsync<T>(Func<WriteScope, Task<T>> work, bool waitForDisk, CancellationToken cancellationToken)
    {
        await using var scope = await BeginWriteAsync(waitForDisk, cancellationToken);
        var result = await work(scope);
        await scope.CommitAsync(cancellationToken);
        return result;
    }

    /// <summary>A single-statement write; returns the number of rows it changed.</summary>
    private protected Task<int> WriteAsync(string sql, object? parameters, CancellationToken cancellationToken) =>
        WriteAsync(scope => ExecuteAsync(scope, sql, parameters, cancellationToken), cancellationToken);

    /// <summary>Every row of a read outside any transaction (one statement sees one snapshot).</summary>
    private protected virtual async Task<IReadOnlyList<T>> QueryAsync<T>(string sql, object? parameters, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return (await connection.QueryAsync<T>(Command(sql, parameters, null, cancellationToken))).AsList();
    }

    /// <summary>The only row of a read, or the default without one; more than one row is a bug in the query.</summary>
    private protected async Task<T?> QuerySingleOrDefaultAsync<T>(string sql, object? parameters, CancellationToken cancellationToken)
    {
        var rows = await QueryAsync<T>(sql, parameters, cancellationToken);
        return rows.Count switch
        {
            0 => default,
            1 => rows[0],
            _ => throw new InvalidOperationException($"A single-row read returned {rows.Count} rows."),
        };
    }

    private protected static Task<int> ExecuteAsync(WriteScope scope, string sql, object? parameters, CancellationToken cancellationToken) =>
        scope.Statements is { } prepared
            ? Task.FromResult(prepared.Execute(sql, parameters, scope.Transaction))
            : scope.Connection.ExecuteAsync(Command(sql, parameters, scope.Transaction, cancellationToken));

    /// <summary>The first row of <paramref name="sql"/> inside a write transaction, mapped by <paramref name="map"/>; <paramref name="none"/> without one.</summary>
    private protected static async Task<T> QueryRowAsync<T>(
        WriteScope scope, string sql, object? parameters, Func<DbDataReader, T> map, T none, CancellationToken cancellationToken)
    {
        if (scope.Statements is { } prepared)
        {
            return prepared.QueryRow(sql, parameters, scope.Transaction, map, none);
        }

        await using var reader = await scope.Connection.ExecuteReaderAsync(Command(sql, parameters, scope.Transaction, cancellationToken));
        return await reader.ReadAsync(cancellationToken) ? map(reader) : none;
    }

    private protected static CommandDefinition Command(string sql, object? parameters, DbTransaction? transaction, CancellationToken cancellationToken) =>
        new(sql, parameters, transaction, cancellationToken: cancellationToken);
}
