using AgentAccessBroker.Domain;
using AgentAccessBroker.Storage;
using AgentAccessBroker.Testing;
using AgentAccessBroker.Testing.Broker;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace AgentAccessBroker.Server.Tests;

/// <summary>Two broker nodes on one PostgreSQL store: a task end committed by one node is finished by the other.</summary>
[Collection(PostgresCollection.Name)]
public sealed class LifecycleClusterTests(PostgresFixture postgres)
{
    [Fact]
    public async Task Completion_NodeADiesAfterTheTransition_NodeBRevokesEveryLeaseAndLogin()
    {
        var (first, second) = await BrokerHost.StartClusterAsync(postgres, sweepInterval: TimeSpan.FromSeconds(2));
        await using var b = second;
        var (agent, task) = await first.AgentWithTaskAsync("agent-a");
        var grants = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var grant = await agent.SubmitRequestAsync(first.ReadInvoices(), CancellationToken.None);
            Assert.Equal("granted", grant.Outcome);
            grants.Add(grant.Credential!.Forms["connection_string"]);
        }

        // Node A commits the durable transition (task ended, leases marked due), then dies before revoking anything.
        var storeOfA = first.App.Services.GetRequiredService<IBrokerStore>();
        var ending = await storeOfA.EndTaskAsync(task.Task.Id, TaskState.Completed, DateTimeOffset.UtcNow, "admin", "task completed", CancellationToken.None);
        Assert.Equal(3, ending.CutOff.MarkedDue);
        await first.DisposeAsync();
        Assert.All(grants, g => Assert.Equal(1, BrokerHost.QueryAsync(g, "SELECT 1").GetAwaiter().GetResult()));

        // Node B's periodic sweep finds the marks and revokes every lease of the ended task.
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(60);
        IReadOnlyList<Client.LeaseView> leases;
        do
        {
            leases = await second.Admin.ListLeasesAsync(task.Task.Id, null, CancellationToken.None);
        }
        while (leases.Any(l => l.State != "revoked") && DateTimeOffset.UtcNow < deadline && await Task.Delay(200).ContinueWith(_ => true));

        Assert.All(leases, l => Assert.Equal("revoked", l.State));
        foreach (var login in grants)
        {
            await Assert.ThrowsAsync<PostgresException>(() => BrokerHost.QueryAsync(login, "SELECT 1"));
        }
    }
}
