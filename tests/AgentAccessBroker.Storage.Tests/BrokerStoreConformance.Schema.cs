using System.Data.Common;
using AgentAccessBroker.Domain;
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

    [Theory]
    [InlineData(5)]
    [InlineData(6)]
    public async Task MigrateAsync_LeasesRevokedBeforeRechecksExisted_RecentOnesGetTheLongestBoundAndAreDue(int fromVersion)
    {
        // A deployment at an older schema, with leases written as that release wrote them (no usable_until).
        var location = await CreateDatabaseAsync();
        var old = OpenStore(location);
        await old.MigrateThroughAsync(fromVersion, CancellationToken.None);
        var agent = AgentPrincipal(Ids.New("agent"), T0.AddDays(-20));
        await old.CreatePrincipalAsync(agent, "hash-" + agent.Id, CancellationToken.None);
        var task = NewTask(agent.Id, T0.AddDays(-20));
        await old.CreateTaskAsync(task, "hash-" + task.Id, CancellationToken.None);
        var request = NewRequest(agent.Id, task.Id, T0.AddDays(-20));
        await old.CreateRequestAsync(request, CancellationToken.None);
        await using (var connection = await OpenRawAsync(location))
        {
            async Task<string> Lease(string state, DateTimeOffset createdAt, DateTimeOffset expiresAt)
            {
                var id = Ids.New("lease");
                await connection.ExecuteAsync(
                    """
                    INSERT INTO aab_leases (id, request_id, task_id, agent_id, target, provider, resources, actions, created_at, expires_at, state,
                                            revocation_data, revocation_attempts, last_error, next_attempt_at, revoked_at, verified_at)
                    VALUES (@Id, @RequestId, @TaskId, @AgentId, 'billing-db', 'aws', '[]', '[]', @CreatedAt, @ExpiresAt, @State, '{}', 0, NULL, NULL, @RevokedAt, @VerifiedAt)
                    """,
                    new
                    {
                        Id = id, RequestId = request.Id, TaskId = task.Id, AgentId = agent.Id, CreatedAt = createdAt.UtcTicks, ExpiresAt = expiresAt.UtcTicks, State = state,
                        RevokedAt = state == "revoked" ? (long?)expiresAt.UtcTicks : null, VerifiedAt = state == "revoked" ? (long?)expiresAt.UtcTicks : null,
                    });
                return id;
            }

            var recent = await Lease("revoked", T0.AddHours(-2), T0.AddHours(-1));
            var longAgo = await Lease("revoked", T0.AddDays(-10), T0.AddDays(-10).AddHours(1));
            var failedMint = await Lease("mint_failed", T0.AddHours(-2), T0.AddHours(-1));
            var active = await Lease("active", T0, T0.AddHours(1));

            var store = OpenStore(location);
            await store.MigrateAsync(CancellationToken.None);

            // Until the longest any connector's credential outlives its lease: re-verification narrows it at its first look.
            Assert.Equal(T0.AddHours(-1) + SchemaMigrations.LongestOutlivingCredential, (await store.GetLeaseAsync(recent, CancellationToken.None))?.UsableUntil);
            // Over even by the newest lease's creation: left alone, as are rows no revocation ended.
            Assert.Null((await store.GetLeaseAsync(longAgo, CancellationToken.None))?.UsableUntil);
            Assert.Null((await store.GetLeaseAsync(failedMint, CancellationToken.None))?.UsableUntil);
            Assert.Null((await store.GetLeaseAsync(active, CancellationToken.None))?.UsableUntil);
            Assert.Equal([recent], (await store.ListRechecksDueAsync(T0, T0.AddMinutes(-5), 100, CancellationToken.None)).Select(l => l.Id));
        }
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
