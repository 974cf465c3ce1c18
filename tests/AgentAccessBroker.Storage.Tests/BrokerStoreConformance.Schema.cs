using System.Data.Common;
using Dapper;

namespace AgentAccessBroker.Storage.Tests;

public abstract partial class BrokerStoreConformance
{
    [Fact]
    public async Task MigrateAsync_RunAgain_RecordsEachVersionOnce()
    {
        await Store.MigrateAsync(CancellationToken.None);
        await OpenStore(Location).MigrateAsync(CancellationToken.None);

        await using var connection = await OpenRawAsync(Location);
        var versions = (await connection.QueryAsync<long>("SELECT version FROM aab_schema_migrations ORDER BY version")).ToList();
        Assert.Equal(SchemaMigrations.All([], []).Select(m => (long)m.Version), versions);
    }

    [Fact]
    public async Task MigrateAsync_TwoNodesAtOnceOnNewDatabase_BothSucceedAndApplyEachVersionOnce()
    {
        var location = await CreateDatabaseAsync();
        var first = OpenStore(location);
        var second = OpenStore(location);

        await RaceAsync(2, async i =>
        {
            await (i == 0 ? first : second).MigrateAsync(CancellationToken.None);
            return i;
        });

        await using var connection = await OpenRawAsync(location);
        var versions = (await connection.QueryAsync<long>("SELECT version FROM aab_schema_migrations ORDER BY version")).ToList();
        Assert.Equal(SchemaMigrations.All([], []).Select(m => (long)m.Version), versions);
        Assert.Equal(1L, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM aab_audit_head"));
    }

    [Fact]
    public async Task MigrateAsync_DatabaseHoldsQuartzTables_LeavesThemUntouched()
    {
        var location = await CreateDatabaseAsync();
        await using (var connection = await OpenRawAsync(location))
        {
            await connection.ExecuteAsync("CREATE TABLE qrtz_locks (sched_name varchar(120) NOT NULL, lock_name varchar(40) NOT NULL, PRIMARY KEY (sched_name, lock_name))");
            await connection.ExecuteAsync("INSERT INTO qrtz_locks VALUES ('broker', 'TRIGGER_ACCESS')");
        }

        await OpenStore(location).MigrateAsync(CancellationToken.None);

        await using var check = await OpenRawAsync(location);
        Assert.Equal("TRIGGER_ACCESS", await check.ExecuteScalarAsync<string>("SELECT lock_name FROM qrtz_locks WHERE sched_name = 'broker'"));
    }

    [Fact]
    public async Task AuditEvents_UpdateOrDeleteOutsideTheStore_RejectedByDatabase()
    {
        await Store.AppendAsync(SampleEntry("first"), CancellationToken.None);

        await using var connection = await OpenRawAsync(Location);
        await Assert.ThrowsAnyAsync<DbException>(() => connection.ExecuteAsync("UPDATE aab_audit_events SET actor = 'mallory'"));
        await Assert.ThrowsAnyAsync<DbException>(() => connection.ExecuteAsync("DELETE FROM aab_audit_events"));

        var stored = Assert.Single(await CollectAsync(Store.ReadAuditAsync(new(), CancellationToken.None)));
        Assert.Equal("broker", stored.Actor);
    }

    [Fact]
    public async Task RecordRequestAsync_TaskDoesNotExist_RejectedByForeignKey()
    {
        var agent = await SeedAgentAsync();
        var request = NewRequest(agent.Id, "task_missing");

        await Assert.ThrowsAnyAsync<DbException>(() => Store.RecordRequestAsync(request, h => h, null, [], CancellationToken.None));
        Assert.Null(await Store.GetRequestAsync(request.Id, CancellationToken.None));
    }
}
