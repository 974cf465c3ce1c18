using System.Diagnostics.Metrics;
using AgentAccessBroker.Brokering;
using AgentAccessBroker.Client;
using AgentAccessBroker.Testing;
using AgentAccessBroker.Testing.Broker;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace AgentAccessBroker.Server.Tests;

[Collection(PostgresCollection.Name)]
public sealed class LeaseLifecycleTests(PostgresFixture postgres)
{
    [Fact]
    public async Task SubmitRequest_NarrowRead_GrantsWorkingCredentialOnce()
    {
        await using var host = await BrokerHost.StartAsync(postgres);
        var (agent, _) = await host.AgentWithTaskAsync("agent-a");

        var outcome = await agent.SubmitRequestAsync(host.ReadInvoices(), CancellationToken.None);

        Assert.Equal("granted", outcome.Outcome);
        Assert.Equal(7L, await BrokerHost.QueryAsync(outcome.Credential!.Forms["connection_string"], "SELECT count(*) FROM public.invoices"));
        var again = await agent.ClaimRequestAsync(outcome.Request.Id, CancellationToken.None);
        Assert.Equal("already_issued", again.Outcome);
        Assert.Null(again.Credential);
    }

    [Fact]
    public async Task SubmitRequest_OnSqlite_KeepsRevocationTriggerInSchedulerFileApartFromStore()
    {
        await using var host = await BrokerHost.StartAsync(postgres);
        var (agent, _) = await host.AgentWithTaskAsync("agent-a");

        var outcome = await agent.SubmitRequestAsync(host.ReadInvoices(), CancellationToken.None);

        await using var scheduler = new SqliteConnection($"Data Source={Path.Combine(host.DataDirectory, "scheduler.db")};Mode=ReadOnly;Pooling=False");
        await scheduler.OpenAsync();
        Assert.Equal("wal", await scheduler.ExecuteScalarAsync<string>("PRAGMA journal_mode"));
        Assert.Equal(1L, await scheduler.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM QRTZ_TRIGGERS WHERE TRIGGER_GROUP = 'revoke-lease' AND TRIGGER_NAME = @Id", new { outcome.Lease!.Id }));
        await using var store = new SqliteConnection($"Data Source={Path.Combine(host.DataDirectory, "broker.db")};Mode=ReadOnly;Pooling=False");
        await store.OpenAsync();
        Assert.Equal(0L, await store.ExecuteScalarAsync<long>("SELECT count(*) FROM sqlite_master WHERE name LIKE 'QRTZ%'"));
    }

    [Fact]
    public async Task SubmitRequest_Granted_RecordsTheProvidersMintTimeAsAMetric()
    {
        await using var host = await BrokerHost.StartAsync(postgres);
        var (agent, _) = await host.AgentWithTaskAsync("agent-a");
        var meters = host.App.Services.GetRequiredService<IMeterFactory>();
        var recorded = new List<(double Milliseconds, string Tags)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, meters) && instrument.Name == BrokerMetrics.MintDuration)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((_, value, tags, _) =>
        {
            lock (recorded)
            {
                recorded.Add((value, string.Join(",", tags.ToArray().Select(t => $"{t.Key}={t.Value}"))));
            }
        });
        listener.Start();

        await agent.SubmitRequestAsync(host.ReadInvoices(), CancellationToken.None);

        var (milliseconds, tags) = Assert.Single(recorded);
        Assert.InRange(milliseconds, 0.01, 60_000);
        Assert.Equal("aab.provider=postgresql,aab.outcome=minted", tags);
    }

    [Fact]
    public async Task CompleteTask_WithTwoLeases_RevokesBothAndSecondCompleteIsNoOp()
    {
        await using var host = await BrokerHost.StartAsync(postgres);
        var (agent, task) = await host.AgentWithTaskAsync("agent-a");
        var first = await agent.SubmitRequestAsync(host.ReadInvoices(), CancellationToken.None);
        var second = await agent.SubmitRequestAsync(host.ReadInvoices("10m"), CancellationToken.None);
        await using var open = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(first.Credential!.Forms["connection_string"]) { Pooling = false }.ConnectionString);
        await open.OpenAsync();

        var completed = await host.Admin.CompleteTaskAsync(task.Task.Id, CancellationToken.None);
        var again = await host.Admin.CompleteTaskAsync(task.Task.Id, CancellationToken.None);

        Assert.False(completed.AlreadyCompleted);
        Assert.Equal(2, completed.LeasesRevoked);
        Assert.True(again.AlreadyCompleted);
        Assert.Equal(0, again.LeasesRevoked);
        var leases = await host.Admin.ListLeasesAsync(task.Task.Id, null, CancellationToken.None);
        Assert.All(leases, l => Assert.Equal("revoked", l.State));
        Assert.All(leases, l => Assert.NotNull(l.VerifiedAt));
        foreach (var granted in new[] { first, second })
        {
            await Assert.ThrowsAsync<PostgresException>(() => BrokerHost.QueryAsync(granted.Credential!.Forms["connection_string"], "SELECT 1"));
        }

        // The session opened before completion was terminated, not left running.
        await using var command = new NpgsqlCommand("SELECT 1", open);
        await Assert.ThrowsAnyAsync<Exception>(() => command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task SubmitRequest_AfterTaskCompleted_IsRefusedWithConflict()
    {
        await using var host = await BrokerHost.StartAsync(postgres);
        var (agent, task) = await host.AgentWithTaskAsync("agent-a");
        await host.Admin.CompleteTaskAsync(task.Task.Id, CancellationToken.None);

        var error = await Assert.ThrowsAsync<BrokerClientException>(() => agent.SubmitRequestAsync(host.ReadInvoices(), CancellationToken.None));

        Assert.Equal(409, error.Status);
        Assert.Equal("task_not_active", error.Code);
    }

    [Fact]
    public async Task ReleaseLease_ByItsAgent_RevokesOnlyThatLease()
    {
        await using var host = await BrokerHost.StartAsync(postgres);
        var (agent, task) = await host.AgentWithTaskAsync("agent-a");
        var first = await agent.SubmitRequestAsync(host.ReadInvoices(), CancellationToken.None);
        var second = await agent.SubmitRequestAsync(host.ReadInvoices(), CancellationToken.None);

        var released = await agent.ReleaseLeaseAsync(first.Lease!.Id, CancellationToken.None);

        Assert.Equal("revoked", released.Outcome);
        await Assert.ThrowsAsync<PostgresException>(() => BrokerHost.QueryAsync(first.Credential!.Forms["connection_string"], "SELECT 1"));
        Assert.Equal(1, await BrokerHost.QueryAsync(second.Credential!.Forms["connection_string"], "SELECT 1"));
        var live = await agent.ListLeasesAsync(task.Task.Id, "live", CancellationToken.None);
        Assert.Equal(second.Lease!.Id, Assert.Single(live).Id);
    }

    [Fact]
    public async Task SubmitRequest_UnknownResource_DeniedWithReason()
    {
        await using var host = await BrokerHost.StartAsync(postgres);
        var (agent, _) = await host.AgentWithTaskAsync("agent-a");

        var outcome = await agent.SubmitRequestAsync(
            new AccessRequestBody("app-db", ["otherdb.public.secrets"], ["SELECT"], "read secrets for the export", "15m"), CancellationToken.None);

        Assert.Equal("denied", outcome.Outcome);
        Assert.Contains(outcome.Request.Assessment!.Reasons, r => r.Contains("otherdb.public.secrets", StringComparison.Ordinal));
    }
}
