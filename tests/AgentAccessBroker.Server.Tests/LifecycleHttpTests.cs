using System.Diagnostics;
using System.Net.Http.Headers;
using AgentAccessBroker.Client;
using AgentAccessBroker.Testing;
using AgentAccessBroker.Testing.Broker;
using Npgsql;
using Xunit.Abstractions;

namespace AgentAccessBroker.Server.Tests;

/// <summary>Issue #21 over HTTP on a real broker with a real PostgreSQL target: refusals are 409 ProblemDetails and no login survives a cut-off.</summary>
[Collection(PostgresCollection.Name)]
public sealed class LifecycleHttpTests(PostgresFixture postgres, ITestOutputHelper output)
{
    [Fact]
    public async Task ClaimApproval_AfterTaskCompleted_409TaskNotActiveAndNoLoginCreated()
    {
        await using var host = await BrokerHost.StartAsync(postgres);
        var (agent, task) = await host.AgentWithTaskAsync("agent-a");
        using var bob = host.ClientFor(await host.PersonAsync("bob", "approver"));
        var pending = await agent.SubmitRequestAsync(PiiRead(host), CancellationToken.None);
        await bob.ApproveAsync(pending.Request.Id, new VoteBody(null, null), CancellationToken.None);
        await host.Admin.CompleteTaskAsync(task.Task.Id, CancellationToken.None);

        var refusal = await Assert.ThrowsAsync<BrokerClientException>(() => agent.ClaimRequestAsync(pending.Request.Id, CancellationToken.None));

        Assert.Equal((409, "task_not_active"), (refusal.Status, refusal.Code));
        Assert.Empty(await host.Admin.ListLeasesAsync(task.Task.Id, null, CancellationToken.None));
        Assert.Equal("withdrawn", (await host.Admin.GetRequestAsync(pending.Request.Id, CancellationToken.None)).Status);
        Assert.Contains("claim it within 15m", pending.Message, StringComparison.Ordinal);
        Assert.Equal("15m", pending.ClaimWindow);
    }

    [Fact]
    public async Task LockAgent_RevokesItsLoginsAndRefusesItsNextCall()
    {
        await using var host = await BrokerHost.StartAsync(postgres);
        var (agent, _) = await host.AgentWithTaskAsync("agent-a");
        var grant = await agent.SubmitRequestAsync(host.ReadInvoices(), CancellationToken.None);
        Assert.Equal(7L, await BrokerHost.QueryAsync(grant.Credential!.Forms["connection_string"], "SELECT count(*) FROM public.invoices"));

        var locked = await host.Admin.LockAsync(new LockBody("agent-a", null, null, "token found in a public log"), CancellationToken.None);

        Assert.Equal(1, locked.LeasesRevoked);
        await Assert.ThrowsAsync<PostgresException>(() => BrokerHost.QueryAsync(grant.Credential.Forms["connection_string"], "SELECT 1"));
        var refused = await Assert.ThrowsAsync<BrokerClientException>(() => agent.SubmitRequestAsync(host.ReadInvoices(), CancellationToken.None));
        Assert.Equal(401, refused.Status);
        Assert.Equal(locked.Lock.Id, Assert.Single(await host.Admin.ListLocksAsync(false, CancellationToken.None)).Id);
        await host.Admin.LiftLockAsync(locked.Lock.Id, CancellationToken.None);
        Assert.Equal("granted", (await agent.SubmitRequestAsync(host.ReadInvoices(), CancellationToken.None)).Outcome);
    }

    [Fact]
    public async Task LifecycleEndpoints_CalledByNonAdmin_Forbidden()
    {
        await using var host = await BrokerHost.StartAsync(postgres);
        await host.AgentAsync("agent-a");
        using var bob = host.ClientFor(await host.PersonAsync("bob", "approver"));

        var lockRefusal = await Assert.ThrowsAsync<BrokerClientException>(() => bob.LockAsync(new LockBody("agent-a", null, null, "x"), CancellationToken.None));
        var disableRefusal = await Assert.ThrowsAsync<BrokerClientException>(() => bob.ChangePrincipalAsync(true, "agent-a", "disable", null, CancellationToken.None));
        var rotateRefusal = await Assert.ThrowsAsync<BrokerClientException>(() => bob.RotateTokenAsync("agent-a", new RotateTokenBody(null), CancellationToken.None));

        Assert.All(new[] { lockRefusal, disableRefusal, rotateRefusal }, e => Assert.Equal(403, e.Status));
    }

    [Fact]
    public async Task RegisterAgent_OwnerDisagreesWithPolicy_409OwnerMismatch()
    {
        await using var host = await BrokerHost.StartAsync(postgres);

        var refusal = await Assert.ThrowsAsync<BrokerClientException>(() => host.Admin.RegisterAgentAsync(new RegisterAgentBody("agent-a", "bob"), CancellationToken.None));
        var registered = await host.Admin.RegisterAgentAsync(new RegisterAgentBody("agent-a", null), CancellationToken.None);

        Assert.Equal((409, "owner_mismatch"), (refusal.Status, refusal.Code));
        Assert.Equal("alice", registered.Owner);
    }

    [Fact]
    public async Task RemoveAgentAndRotateToken_OldTokensStopWorking()
    {
        await using var host = await BrokerHost.StartAsync(postgres);
        var agentToken = await host.AgentAsync("agent-a");
        var personToken = await host.PersonAsync("carol", "approver");

        var rotated = await host.Admin.RotateTokenAsync("carol", new RotateTokenBody("1h"), CancellationToken.None);
        var removed = await host.Admin.ChangePrincipalAsync(true, "agent-a", "remove", "decommissioned", CancellationToken.None);

        Assert.Equal("removed", removed.Status);
        using var oldCarol = host.ClientFor(personToken);
        using var newCarol = host.ClientFor(rotated.Token);
        using var agent = host.ClientFor(agentToken);
        Assert.Equal(401, (await Assert.ThrowsAsync<BrokerClientException>(() => oldCarol.ListTasksAsync(null, CancellationToken.None))).Status);
        Assert.Equal(401, (await Assert.ThrowsAsync<BrokerClientException>(() => agent.ListTasksAsync(null, CancellationToken.None))).Status);
        await newCarol.ListTasksAsync(null, CancellationToken.None);
    }

    [Fact]
    public async Task ListLeases_MoreThanOnePage_LinksNextAndClientReadsEveryPage()
    {
        await using var host = await BrokerHost.StartAsync(postgres);
        var (agent, task) = await host.AgentWithTaskAsync("agent-a");
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal("granted", (await agent.SubmitRequestAsync(host.ReadInvoices(), CancellationToken.None)).Outcome);
        }

        using var http = new HttpClient { BaseAddress = host.Address };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await File.ReadAllTextAsync(Path.Combine(host.DataDirectory, "admin.token"))).Trim());
        using var first = await http.GetAsync($"v1/leases?task={task.Task.Id}&limit=2");

        Assert.Contains("rel=\"next\"", string.Join(",", first.Headers.GetValues("Link")), StringComparison.Ordinal);
        Assert.Equal(3, (await host.Admin.ListLeasesAsync(task.Task.Id, null, CancellationToken.None)).Count);
        var bad = await http.GetAsync("v1/leases?cursor=nonsense");
        Assert.Equal(400, (int)bad.StatusCode);
        Assert.Contains("invalid_cursor", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    /// <summary>
    /// SIGKILL while a completion revokes its leases (the broker is killed the moment the task row says completed),
    /// then a restart: every lease of the task is revoked and each login refused, by the start-up sweep.
    /// </summary>
    [Fact]
    public async Task Broker_KilledDuringCompletion_RestartRevokesEveryLeaseAndLogin()
    {
        var (database, brokerRole) = await BrokerHost.PrepareDatabaseAsync(postgres);
        var data = Directory.CreateTempSubdirectory("aab-crash-complete-").FullName;
        var policy = Path.Combine(data, "policy.yaml");
        await File.WriteAllTextAsync(policy, TestPolicy.Yaml(postgres.Cluster.Port, brokerRole, database));
        var environment = new Dictionary<string, string> { [TestPolicy.PasswordVariable] = BrokerHost.BrokerPassword };
        var port = BrokerProcess.FreePort();
        var broker = await BrokerProcess.StartAsync(policy, data, port, environment);
        var adminToken = (await File.ReadAllTextAsync(Path.Combine(data, "admin.token"))).Trim();
        using var admin = new BrokerClient(broker.Address, adminToken);
        var agentToken = (await admin.RegisterAgentAsync(new RegisterAgentBody("agent-a", null), CancellationToken.None)).Token;
        var task = await admin.StartTaskAsync(new StartTaskBody("agent-a", "Fix the failing billing export: invoice totals are missing", ["invoices"], "dev", null), CancellationToken.None);
        using var agent = new BrokerClient(broker.Address, agentToken, task.TaskToken);
        var logins = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            var grant = await agent.SubmitRequestAsync(
                new AccessRequestBody("app-db", [$"{database}.public.invoices"], ["SELECT"], "Read invoices to find why the billing export drops totals", "15m"), CancellationToken.None);
            if (grant.Outcome == "granted")
            {
                logins.Add(grant.Credential!.Forms["connection_string"]);
            }
        }

        Assert.True(logins.Count >= 3, $"only {logins.Count} grants");

        // Act: complete, and SIGKILL the broker as soon as the completion's transaction is visible in its store.
        var completion = admin.CompleteTaskAsync(task.Task.Id, CancellationToken.None);
        await WaitForTaskStateAsync(Path.Combine(data, "broker.db"), task.Task.Id, "completed");
        await broker.KillAsync();
        await Assert.ThrowsAnyAsync<Exception>(() => completion);
        var liveAtKill = logins.Count(l => CanLogIn(l));
        output.WriteLine($"{logins.Count} leases, {liveAtKill} logins still working when the broker was killed mid-completion");

        var restarted = Stopwatch.StartNew();
        await using var again = await BrokerProcess.StartAsync(policy, data, port, environment);
        using var adminAgain = new BrokerClient(again.Address, adminToken);
        IReadOnlyList<LeaseView> leases;
        // A lease whose revocation attempt was running when the broker died keeps that attempt's deadline (30 s, set
        // before the kill) as its next attempt, so no other node starts a second one meanwhile; every node looks for
        // attempts past their deadline every 5 s (OverdueAttemptWatch) and retries them. The rest is the retry itself
        // and the start-up of a broker process on a shared, loaded machine.
        var bound = TimeSpan.FromSeconds(30 + 5 + 15);
        do
        {
            leases = await adminAgain.ListLeasesAsync(task.Task.Id, null, CancellationToken.None);
        }
        while (leases.Any(l => l.State != "revoked") && restarted.Elapsed < bound && await Task.Delay(100).ContinueWith(_ => true));

        Assert.All(leases, l => Assert.Equal("revoked", l.State));
        Assert.Equal(logins.Count, leases.Count);
        Assert.All(logins, l => Assert.False(CanLogIn(l), "a login of the completed task still works"));
        output.WriteLine($"every lease revoked {restarted.Elapsed.TotalSeconds:0.0} s after the restarted broker became healthy");
    }

    private static AccessRequestBody PiiRead(BrokerHost host) =>
        new("app-db", [$"{host.Database}.hr.salaries"], ["SELECT"], "Check salary rows the billing export joins on", "15m");

    private static bool CanLogIn(string connectionString)
    {
        try
        {
            BrokerHost.QueryAsync(connectionString, "SELECT 1").GetAwaiter().GetResult();
            return true;
        }
        catch (PostgresException)
        {
            return false;
        }
    }

    private static async Task WaitForTaskStateAsync(string databasePath, string taskId, string state)
    {
        // Bounded polling of the broker's own file, read-only: the only outside signal that the transition committed.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={databasePath};Mode=ReadOnly;Pooling=False"))
            {
                await connection.OpenAsync();
                await using var command = connection.CreateCommand();
                command.CommandText = "SELECT state FROM aab_tasks WHERE id = $id";
                command.Parameters.AddWithValue("$id", taskId);
                if (await command.ExecuteScalarAsync() as string == state)
                {
                    return;
                }
            }

            Assert.True(DateTime.UtcNow < deadline, "the completion never committed");
            await Task.Delay(2);
        }
    }
}
