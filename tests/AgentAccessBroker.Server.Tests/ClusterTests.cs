using AgentAccessBroker.Client;
using AgentAccessBroker.Testing;
using AgentAccessBroker.Testing.Broker;
using Npgsql;

namespace AgentAccessBroker.Server.Tests;

/// <summary>Two broker nodes on one PostgreSQL store: state is shared and revocation happens on whichever node is up.</summary>
[Collection(PostgresCollection.Name)]
public sealed class ClusterTests(PostgresFixture postgres)
{
    [Fact]
    public async Task LeaseGrantedOnFirstNode_FirstNodeStops_SecondNodeRevokesAtLeaseEnd()
    {
        var (first, second) = await BrokerHost.StartClusterAsync(postgres);
        await using var secondNode = second;
        var (agent, task) = await first.AgentWithTaskAsync("agent-a");
        var grant = await agent.SubmitRequestAsync(first.ReadInvoices("5s"), CancellationToken.None);
        Assert.Equal("granted", grant.Outcome);
        var role = grant.Credential!.EnvironmentVariables["PGUSER"];

        // The second node sees the lease at once: one store.
        Assert.Single(await second.Admin.ListLeasesAsync(task.Task.Id, "live", CancellationToken.None));
        await first.DisposeAsync();

        // The lease's durable trigger lives in the shared Quartz tables; the surviving node fires it at the lease end. The
        // role is dropped before the revocation is verified and recorded, so the wait is for the recorded outcome.
        var deadline = grant.Lease!.ExpiresAt + TimeSpan.FromSeconds(45);
        var lease = Assert.Single(await second.Admin.ListLeasesAsync(task.Task.Id, null, CancellationToken.None));
        while (lease.State != "revoked" && DateTimeOffset.UtcNow < deadline)
        {
            await Task.Delay(200);
            lease = Assert.Single(await second.Admin.ListLeasesAsync(task.Task.Id, null, CancellationToken.None));
        }

        Assert.Equal("revoked", lease.State);
        Assert.False(await postgres.RoleExistsAsync(role), "the surviving node recorded the lease revoked but its role still exists");
        await Assert.ThrowsAsync<PostgresException>(() => BrokerHost.QueryAsync(grant.Credential.Forms["connection_string"], "SELECT 1"));
    }

    [Fact]
    public async Task ConcurrentApprovalsOnTwoNodes_ProduceExactlyOneLease()
    {
        var (first, second) = await BrokerHost.StartClusterAsync(postgres);
        await using var a = first;
        await using var b = second;
        var (agent, task) = await first.AgentWithTaskAsync("agent-a");
        var bobToken = await first.PersonAsync("bob", "approver");
        var pending = await agent.SubmitRequestAsync(
            new AccessRequestBody("app-db", [$"{first.Database}.hr.salaries"], ["SELECT"], "Check salary rows the billing export joins on", "15m"), CancellationToken.None);
        using var bobOnA = first.ClientFor(bobToken);
        using var bobOnB = second.ClientFor(bobToken);

        await Task.WhenAll(Enumerable.Range(0, 10).Select(i => (i % 2 == 0 ? bobOnA : bobOnB).ApproveAsync(pending.Request.Id, new VoteBody(null, null), CancellationToken.None)));
        var claims = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => agent.ClaimRequestAsync(pending.Request.Id, CancellationToken.None)));

        Assert.Equal("pending_approval", pending.Outcome);
        Assert.Single(claims, c => c.Outcome == "granted");
        Assert.Single(await second.Admin.ListLeasesAsync(task.Task.Id, null, CancellationToken.None));
    }
}
