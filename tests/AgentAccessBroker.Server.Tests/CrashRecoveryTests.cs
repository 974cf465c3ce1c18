using System.Diagnostics;
using AgentAccessBroker.Client;
using AgentAccessBroker.Testing;
using AgentAccessBroker.Testing.Broker;
using Npgsql;
using Xunit.Abstractions;

namespace AgentAccessBroker.Server.Tests;

[Collection(PostgresCollection.Name)]
public sealed class CrashRecoveryTests(PostgresFixture postgres, ITestOutputHelper output)
{
    [Fact]
    public async Task Broker_KilledWhileLeaseActiveAndEndPasses_RevokesWithin10SecondsOfRestart()
    {
        // Arrange: a broker process with a 5-second lease and a session open with its credential.
        var (database, brokerRole) = await BrokerHost.PrepareDatabaseAsync(postgres);
        var data = Directory.CreateTempSubdirectory("aab-crash-").FullName;
        var policy = Path.Combine(data, "policy.yaml");
        await File.WriteAllTextAsync(policy, TestPolicy.Yaml(postgres.Cluster.Port, brokerRole, database));
        var environment = new Dictionary<string, string> { [TestPolicy.PasswordVariable] = BrokerHost.BrokerPassword };
        var port = BrokerProcess.FreePort();
        var broker = await BrokerProcess.StartAsync(policy, data, port, environment);
        using var admin = new BrokerClient(broker.Address, (await File.ReadAllTextAsync(Path.Combine(data, "admin.token"))).Trim());
        var agentToken = (await admin.RegisterAgentAsync(new RegisterAgentBody("agent-a", "alice"), CancellationToken.None)).Token;
        var task = await admin.StartTaskAsync(new StartTaskBody("agent-a", "Fix the failing billing export", null, null, null), CancellationToken.None);
        using var agent = new BrokerClient(broker.Address, agentToken, task.TaskToken);
        var grant = await agent.SubmitRequestAsync(
            new AccessRequestBody("app-db", [$"{database}.public.invoices"], ["SELECT"], "Read invoices for the billing export", "5s"), CancellationToken.None);
        Assert.Equal("granted", grant.Outcome);
        var role = grant.Credential!.EnvironmentVariables["PGUSER"];
        await using var session = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(grant.Credential.Forms["connection_string"]) { Pooling = false }.ConnectionString);
        await session.OpenAsync();

        // Act: crash, let the lease end pass while the broker is down, restart on the same data directory.
        await broker.KillAsync();
        while (DateTimeOffset.UtcNow < grant.Lease!.ExpiresAt + TimeSpan.FromSeconds(1))
        {
            await Task.Delay(100);
        }

        Assert.True(await postgres.RoleExistsAsync(role), "the role should still exist while the broker is down");
        var restarted = Stopwatch.StartNew();
        await using var again = await BrokerProcess.StartAsync(policy, data, port, environment);
        using var adminAgain = new BrokerClient(again.Address, (await File.ReadAllTextAsync(Path.Combine(data, "admin.token"))).Trim());
        LeaseView lease;
        bool roleExists;
        do
        {
            roleExists = await postgres.RoleExistsAsync(role);
            lease = Assert.Single(await adminAgain.ListLeasesAsync(task.Task.Id, null, CancellationToken.None));
        }
        while ((roleExists || lease.State != "revoked") && restarted.Elapsed < TimeSpan.FromSeconds(30) && await Task.Delay(100).ContinueWith(_ => true));

        // Assert: revoked and verified within 10 s of start-up, and the session opened before the crash is gone.
        Assert.False(roleExists, "the role was not dropped after restart");
        Assert.Equal("revoked", lease.State);
        Assert.NotNull(lease.VerifiedAt);
        Assert.True(restarted.Elapsed < TimeSpan.FromSeconds(10), $"revocation took {restarted.Elapsed.TotalSeconds:0.0} s after restart");
        output.WriteLine($"lease revoked and verified {restarted.Elapsed.TotalSeconds:0.00} s after the restarted broker became healthy");
        await using var command = new NpgsqlCommand("SELECT count(*) FROM public.invoices", session);
        await Assert.ThrowsAnyAsync<Exception>(() => command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Broker_DownWhenApprovalTimesOut_ExpiresRequestRightAfterRestart()
    {
        var (database, brokerRole) = await BrokerHost.PrepareDatabaseAsync(postgres);
        var data = Directory.CreateTempSubdirectory("aab-crash-").FullName;
        var policy = Path.Combine(data, "policy.yaml");
        await File.WriteAllTextAsync(policy, TestPolicy.Yaml(postgres.Cluster.Port, brokerRole, database, approvalTimeout: "3s"));
        var environment = new Dictionary<string, string> { [TestPolicy.PasswordVariable] = BrokerHost.BrokerPassword };
        var port = BrokerProcess.FreePort();
        var broker = await BrokerProcess.StartAsync(policy, data, port, environment);
        var adminToken = (await File.ReadAllTextAsync(Path.Combine(data, "admin.token"))).Trim();
        using var admin = new BrokerClient(broker.Address, adminToken);
        var agentToken = (await admin.RegisterAgentAsync(new RegisterAgentBody("agent-a", "alice"), CancellationToken.None)).Token;
        var task = await admin.StartTaskAsync(new StartTaskBody("agent-a", "Fix the failing billing export", null, null, null), CancellationToken.None);
        using var agent = new BrokerClient(broker.Address, agentToken, task.TaskToken);
        var pending = await agent.SubmitRequestAsync(
            new AccessRequestBody("app-db", [$"{database}.hr.salaries"], ["SELECT"], "Check salary rows the billing export joins on", "15m"), CancellationToken.None);
        Assert.Equal("pending_approval", pending.Outcome);

        await broker.KillAsync();
        while (DateTimeOffset.UtcNow < pending.ApprovalExpiresAt!.Value + TimeSpan.FromSeconds(1))
        {
            await Task.Delay(100);
        }

        var restarted = Stopwatch.StartNew();
        await using var again = await BrokerProcess.StartAsync(policy, data, port, environment);
        using var adminAgain = new BrokerClient(again.Address, adminToken);
        string status;
        do
        {
            status = (await adminAgain.GetRequestAsync(pending.Request.Id, CancellationToken.None)).Status;
        }
        while (status == "pending" && restarted.Elapsed < TimeSpan.FromSeconds(30) && await Task.Delay(100).ContinueWith(_ => true));

        Assert.Equal("expired", status);
        Assert.True(restarted.Elapsed < TimeSpan.FromSeconds(10), $"expiry took {restarted.Elapsed.TotalSeconds:0.0} s after restart");
        output.WriteLine($"request expired {restarted.Elapsed.TotalSeconds:0.00} s after the restarted broker became healthy");
    }
}
