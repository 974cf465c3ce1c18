using System.Data.Common;
using AgentAccessBroker.Domain;
using Dapper;
using Microsoft.Data.Sqlite;

namespace AgentAccessBroker.Storage.Tests;

/// <summary>The conformance suite on SQLite files in a temporary directory, plus what only SQLite has.</summary>
public sealed class SqliteBrokerStoreTests : BrokerStoreConformance
{
    private readonly string _directory = Directory.CreateTempSubdirectory("aab-sqlite-").FullName;
    private int _files;

    protected override string Provider => BrokerStoreFactory.Sqlite;

    protected override Task<string> CreateDatabaseAsync() =>
        Task.FromResult(Path.Combine(_directory, $"broker-{Interlocked.Increment(ref _files)}.db"));

    protected override async Task<DbConnection> OpenRawAsync(string location)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = location, Pooling = false }.ToString());
        await connection.OpenAsync();
        await connection.ExecuteAsync("PRAGMA busy_timeout = 10000");
        return connection;
    }

    // The in-process lock registers a waiter synchronously, before AcquireAsync returns its task.
    protected override Task WaitUntilLockIsContendedAsync(string location) => Task.CompletedTask;

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task MigrateAsync_NewFile_UsesWalJournalAndEnforcesForeignKeys()
    {
        await using var connection = await OpenRawAsync(Location);

        Assert.Equal("wal", await connection.ExecuteScalarAsync<string>("PRAGMA journal_mode"));
        Assert.True(File.Exists(Location));
    }

    [Fact]
    public async Task FinishRevocationAttemptAsync_OutcomesArrivingWhileOneWaits_ShareOneTransaction()
    {
        var sqlite = Assert.IsType<SqliteBrokerStore>(Store);
        var leases = new List<Lease>();
        for (var i = 0; i < 10; i++)
        {
            leases.Add(await SeedLeaseAsync(state: LeaseState.Revoking));
        }

        var before = sqlite.OutcomeTransactions;
        var outcomes = new List<Task<bool>>();
        await using (var other = await OpenRawAsync(Location))
        {
            // Another process holds the write lock: the first outcome's transaction waits for it while the rest queue.
            await using var hold = await other.BeginTransactionAsync(System.Data.IsolationLevel.Serializable);
            await other.ExecuteAsync("UPDATE aab_audit_head SET last_sequence = last_sequence WHERE id = 1", transaction: hold);
            foreach (var lease in leases)
            {
                outcomes.Add(Store.FinishRevocationAttemptAsync(
                    lease.Id, [LeaseState.Revoking], new LeaseUpdate(LeaseState.Revoked, RevokedAt: T0, VerifiedAt: T0), [SampleEntry("revoked " + lease.Id)]));
            }

            await hold.RollbackAsync();
        }

        Assert.All(await Task.WhenAll(outcomes), Assert.True);
        Assert.InRange(sqlite.OutcomeTransactions - before, 1, 2);
        Assert.Equal(10, (await CollectAsync(Store.ReadAuditAsync(new(), CancellationToken.None))).Count);
    }

    [Fact]
    public async Task StartRevocationAttemptAsync_CommitsWithoutWaitingForTheDiskAndTheOutcomeWaitsAgain()
    {
        var sqlite = Assert.IsType<SqliteBrokerStore>(Store);
        var modes = new List<long>();

        foreach (var _ in new[] { 1, 2 })
        {
            var lease = await SeedLeaseAsync(state: LeaseState.Active);
            modes.Add(await sqlite.WriterSynchronousAsync());
            await Store.StartRevocationAttemptAsync(
                lease.Id, [LeaseState.Active], new LeaseUpdate(LeaseState.Revoking, NextAttemptAt: T0.AddSeconds(30)), [SampleEntry("requested")], CancellationToken.None);
            modes.Add(await sqlite.WriterSynchronousAsync());
            await Store.TransitionLeaseAsync(
                lease.Id, [LeaseState.Revoking], new LeaseUpdate(LeaseState.Revoked, RevokedAt: T0, VerifiedAt: T0), [SampleEntry("revoked")], CancellationToken.None);
            modes.Add(await sqlite.WriterSynchronousAsync());
        }

        // PRAGMA synchronous: 2 = FULL (the WAL is synced at every commit), 1 = NORMAL (synced at the next FULL commit or checkpoint).
        Assert.Equal([2, 1, 2, 2, 1, 2], modes);
    }

    [Fact]
    public async Task ActivateLeaseAsync_CommitsWithoutWaitingForTheDiskAndTheNextWriteWaitsAgain()
    {
        var sqlite = Assert.IsType<SqliteBrokerStore>(Store);
        var modes = new List<long>();

        // Twice: SQLite applies the pragma when it compiles it, so a prepared one reused for the second lease may not switch.
        foreach (var role in new[] { "aab_lease_1", "aab_lease_2" })
        {
            var lease = await SeedLeaseAsync();
            modes.Add(await sqlite.WriterSynchronousAsync());
            await Store.ActivateLeaseAsync(lease.Id, new Dictionary<string, string> { ["role"] = role }, SampleEntry("minted"), CancellationToken.None);
            modes.Add(await sqlite.WriterSynchronousAsync());
        }

        await Store.AppendAsync(SampleEntry("next"), CancellationToken.None);
        modes.Add(await sqlite.WriterSynchronousAsync());

        // PRAGMA synchronous: 2 = FULL (the WAL is synced at every commit), 1 = NORMAL (synced at the next FULL commit or checkpoint).
        Assert.Equal([2, 1, 2, 1, 2], modes);
    }

    [Fact]
    public async Task Create_ConnectionStringInsteadOfPath_UsesItsDataSource()
    {
        var path = Path.Combine(_directory, "nested", "from-connection-string.db");

        await using var store = BrokerStoreFactory.Create("SQLite", $"Data Source={path};Cache=Shared");
        await store.MigrateAsync(CancellationToken.None);

        var sqlite = Assert.IsType<SqliteBrokerStore>(store);
        Assert.Equal(path, sqlite.DatabasePath);
        Assert.True(File.Exists(path));
    }

    [Fact]
    public async Task Create_ExistingDirectory_UsesDefaultFileInside()
    {
        var dataDirectory = Directory.CreateDirectory(Path.Combine(_directory, "data")).FullName;

        await using var store = new SqliteBrokerStore(dataDirectory);
        await store.MigrateAsync(CancellationToken.None);

        Assert.Equal(Path.Combine(dataDirectory, SqliteBrokerStore.DefaultFileName), store.DatabasePath);
        Assert.True(File.Exists(store.DatabasePath));
    }

    [Fact]
    public async Task AcquireAsync_SameKeyOnDifferentDatabaseFiles_DoesNotBlock()
    {
        var other = OpenStore(await CreateDatabaseAsync());
        await using var held = await Store.AcquireAsync("k", CancellationToken.None);

        var acquiring = other.AcquireAsync("k", CancellationToken.None);

        Assert.True(acquiring.IsCompletedSuccessfully);
        await (await acquiring).DisposeAsync();
    }

    [Fact]
    public async Task Reads_ReusedReaderConnections_SeeLaterWritesAndHoldNoSnapshotBetweenReads()
    {
        Assert.Null(await Store.FindPrincipalByTokenHashAsync("later", CancellationToken.None));
        await OpenStore(Location).CreatePrincipalAsync(AgentPrincipal("later-bot", T0), "later", CancellationToken.None);

        // The same prepared statement on the same idle reader sees the row another connection committed since.
        Assert.Equal("later-bot", (await Store.FindPrincipalByTokenHashAsync("later", CancellationToken.None))?.Id);

        // An open read snapshot would stop a TRUNCATE checkpoint from emptying the WAL (busy = 1).
        await using var connection = await OpenRawAsync(Location);
        var (busy, walFrames, checkpointed) = await connection.QuerySingleAsync<(long, long, long)>("PRAGMA wal_checkpoint(TRUNCATE)");
        Assert.Equal((0L, 0L, 0L), (busy, walFrames, checkpointed));
    }

    [Fact]
    public async Task DisposeAsync_AfterReads_LeavesNoHandleOnTheFile()
    {
        var path = await CreateDatabaseAsync();
        var store = new SqliteBrokerStore(path);
        await store.MigrateAsync(CancellationToken.None);
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => store.ListPrincipalsAsync(CancellationToken.None)));

        await store.DisposeAsync();

        Assert.Equal(0, OpenDescriptors(path));
    }

    [Fact]
    public async Task DisposeAsync_WriteInFlightOnAnotherThread_WaitsForTheWriteWhichCommits()
    {
        var store = new SqliteBrokerStore(Location);
        await using var blocker = await OpenRawAsync(Location);
        await blocker.ExecuteAsync("BEGIN IMMEDIATE");
        var before = OpenDescriptors(Location);

        // The write takes the writer slot, opens its connection and waits in BEGIN IMMEDIATE for the blocker's lock.
        var writing = Task.Run(() => store.AppendAsync(SampleEntry("written during shutdown"), CancellationToken.None));
        while (OpenDescriptors(Location) == before && !writing.IsCompleted)
        {
            await Task.Delay(10);
        }

        var disposing = store.DisposeAsync().AsTask();
        var disposedBeforeTheWriteEnded = disposing.IsCompleted;
        await blocker.ExecuteAsync("COMMIT");
        var written = await writing;
        await disposing;

        Assert.False(disposedBeforeTheWriteEnded);
        var stored = await CollectAsync(Store.ReadAuditAsync(new AuditQuery(), CancellationToken.None));
        Assert.Contains(stored, e => e.Sequence == written.Sequence);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => store.AppendAsync(SampleEntry("after"), CancellationToken.None));
    }

    // Linux lets an open file be renamed, so count this process's descriptors on it instead.
    private static int OpenDescriptors(string path) =>
        Directory.GetFiles("/proc/self/fd").Count(fd => new FileInfo(fd).LinkTarget is { } target && target.StartsWith(path, StringComparison.Ordinal));
}
