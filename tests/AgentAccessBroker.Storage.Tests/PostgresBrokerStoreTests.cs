using System.Data.Common;
using AgentAccessBroker.Testing;
using Dapper;
using Npgsql;

namespace AgentAccessBroker.Storage.Tests;

/// <summary>The conformance suite on a throwaway PostgreSQL cluster (a fresh database per test), plus what only PostgreSQL has.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresBrokerStoreTests(PostgresFixture postgres) : BrokerStoreConformance
{
    protected override string Provider => BrokerStoreFactory.Postgres;

    protected override Task<string> CreateDatabaseAsync() => postgres.CreateDatabaseAsync("store");

    protected override async Task<DbConnection> OpenRawAsync(string location)
    {
        var connection = new NpgsqlConnection(location);
        await connection.OpenAsync();
        return connection;
    }

    protected override async Task WaitUntilLockIsContendedAsync(string location)
    {
        // Bounded polling of the server's lock table: the only signal that another session is queued on the lock.
        await using var connection = await OpenRawAsync(location);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (await connection.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())") == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "no session started waiting for the advisory lock within 10 s");
            await Task.Delay(10);
        }
    }

    [Fact]
    public async Task AuditEvents_TruncateOutsideTheStore_RejectedByDatabase()
    {
        await Store.AppendAsync(SampleEntry("kept"), CancellationToken.None);

        await using var connection = await OpenRawAsync(Location);
        await Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync("TRUNCATE aab_audit_events"));

        Assert.Single(await CollectAsync(Store.ReadAuditAsync(new(), CancellationToken.None)));
    }

    [Fact]
    public async Task AcquireAsync_HolderConnectionDies_LockIsReleased()
    {
        var held = await Store.AcquireAsync("k", CancellationToken.None);
        await using (var admin = await OpenRawAsync(Location))
        {
            await admin.ExecuteAsync(
                "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid <> pg_backend_pid()");
        }

        await using var next = await OpenStore(Location).AcquireAsync("k", CancellationToken.None);
        await held.DisposeAsync();
    }

    [Fact]
    public async Task MigrateAsync_WrongPassword_NeitherErrorNorLogsContainThePassword()
    {
        const string password = "s3cret-Pa55word-never-shown";
        var database = new NpgsqlConnectionStringBuilder(Location).Database!;
        var connectionString = postgres.ConnectionStringFor(database, postgres.Cluster.SuperUser, password);
        var store = OpenStore(connectionString);

        var error = await Assert.ThrowsAsync<PostgresException>(() => store.MigrateAsync(CancellationToken.None));

        Assert.Equal("28P01", error.SqlState);
        Assert.DoesNotContain(password, error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(password, store.ToString(), StringComparison.Ordinal);
        Assert.NotEmpty(Logs.Lines);
        Assert.All(Logs.Lines, line => Assert.DoesNotContain(password, line, StringComparison.Ordinal));
        Assert.All(Logs.Lines, line => Assert.DoesNotContain(postgres.Cluster.SuperUserPassword, line, StringComparison.Ordinal));
    }

    [Fact]
    public void Create_MalformedConnectionString_ErrorDoesNotEchoIt()
    {
        const string password = "s3cret-in-a-bad-string";

        var error = Assert.Throws<ArgumentException>(() => new PostgresBrokerStore($"Host=127.0.0.1;Password={password};Port=not-a-number"));

        Assert.DoesNotContain(password, error.ToString(), StringComparison.Ordinal);
    }
}
