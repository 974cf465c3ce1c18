using AgentAccessBroker.Client;
using AgentAccessBroker.Testing;
using AgentAccessBroker.Testing.Broker;
using Npgsql;
using Xunit.Abstractions;

namespace AgentAccessBroker.Server.Tests;

/// <summary>
/// Issue 23's isolation finding through the real pieces: leases created through the API, revoked by their Quartz
/// triggers, and one target's revocations stuck on real PostgreSQL row locks.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class RevocationIsolationTests(PostgresFixture postgres, ITestOutputHelper output)
{
    [Fact]
    public async Task Scheduler_TwelveRevocationsStuckOnALockedTarget_HealthyTargetsLeaseRevokedWithin5SecondsOfItsEnd()
    {
        // Arrange: a second target on its own database; its lease roles will be locked by an open transaction.
        var (stuckDatabase, stuckBroker) = await BrokerHost.PrepareDatabaseAsync(postgres);
        await using var host = await BrokerHost.StartAsync(postgres, requestsPerMinute: 100_000, policy: yaml => yaml + $$"""

              - name: stuck-db
                connector: postgresql
                approvers: platform
                settings:
                  host: 127.0.0.1
                  port: {{postgres.Cluster.Port}}
                  admin_database: {{stuckDatabase}}
                  username: {{stuckBroker}}
                  password: { env: {{TestPolicy.PasswordVariable}} }
                resources:
                  - { name: "{{stuckDatabase}}.public.*", sensitivity: medium, environment: dev }
            """);
        // Two agents, six requests each: a dozen ordinary reads within a minute from one agent would score as velocity.
        var agents = new[] { await host.AgentWithTaskAsync("agent-a"), await host.AgentWithTaskAsync("agent-b") };
        var stuckRoles = new List<string>();
        var stuckLeases = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            var grant = await agents[i % 2].Agent.SubmitRequestAsync(
                new AccessRequestBody("stuck-db", [$"{stuckDatabase}.public.invoices"], ["SELECT"], "Read invoices to find why the billing export drops totals", "15s"),
                CancellationToken.None);
            Assert.Equal("granted", grant.Outcome);
            stuckRoles.Add(grant.Credential!.EnvironmentVariables["PGUSER"]);
            stuckLeases.Add(grant.Lease!.Id);
        }

        // A transaction that updated each role and stays open: the broker's ALTER ROLE waits on its row locks.
        await using var holder = new NpgsqlConnection(postgres.Cluster.ConnectionString("postgres"));
        await holder.OpenAsync();
        await using var locks = await holder.BeginTransactionAsync();
        foreach (var role in stuckRoles)
        {
            await using var update = new NpgsqlCommand($"ALTER ROLE \"{role}\" VALID UNTIL 'infinity'", holder, locks);
            await update.ExecuteNonQueryAsync();
        }

        var healthy = await agents[0].Agent.SubmitRequestAsync(host.ReadInvoices("20s"), CancellationToken.None);
        Assert.Equal("granted", healthy.Outcome);

        // Act: let both ends pass; the stuck target's triggers fire first and fill its lane.
        LeaseView? revoked = null;
        var giveUp = healthy.Lease!.ExpiresAt + TimeSpan.FromSeconds(60);
        while (DateTimeOffset.UtcNow < giveUp)
        {
            var leases = await host.Admin.ListLeasesAsync(agents[0].Task.Task.Id, null, CancellationToken.None);
            revoked = leases.Single(l => l.Id == healthy.Lease.Id);
            if (revoked.State == "revoked")
            {
                break;
            }

            await Task.Delay(100);
        }

        var stuck = new List<LeaseView>();
        foreach (var (_, task) in agents)
        {
            stuck.AddRange((await host.Admin.ListLeasesAsync(task.Task.Id, null, CancellationToken.None)).Where(l => stuckLeases.Contains(l.Id)));
        }

        await locks.RollbackAsync();

        // Once the lock is gone the stuck target's revocations finish too (and none is still writing when the host stops).
        var afterLock = new List<LeaseView>();
        var unstuckBy = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(90);
        do
        {
            afterLock.Clear();
            foreach (var (_, task) in agents)
            {
                afterLock.AddRange((await host.Admin.ListLeasesAsync(task.Task.Id, null, CancellationToken.None)).Where(l => stuckLeases.Contains(l.Id)));
            }
        }
        while (afterLock.Any(l => l.State != "revoked") && DateTimeOffset.UtcNow < unstuckBy && await Task.Delay(200).ContinueWith(_ => true));

        // Assert
        Assert.NotNull(revoked);
        Assert.Equal("revoked", revoked.State);
        var late = revoked.RevokedAt!.Value - revoked.ExpiresAt;
        output.WriteLine($"healthy lease revoked {late.TotalSeconds:0.00} s after its end; stuck leases: {string.Join(", ", stuck.Select(l => l.State))}");
        Assert.True(late <= TimeSpan.FromSeconds(5), $"the healthy target's lease was revoked {late.TotalSeconds:0.0} s after its end");
        Assert.Equal(12, stuck.Count);
        Assert.All(stuck, l => Assert.NotEqual("revoked", l.State));
        Assert.Contains(stuck, l => l.State == "revoking" && l.LastError is { } text && text.Contains("running since", StringComparison.Ordinal));
        Assert.All(afterLock, l => Assert.Equal("revoked", l.State));
        Assert.All(stuckRoles, role => Assert.False(postgres.RoleExistsAsync(role).GetAwaiter().GetResult(), $"{role} still exists"));
    }
}
