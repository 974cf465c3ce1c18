using AgentAccessBroker.Client;
using AgentAccessBroker.Testing;
using AgentAccessBroker.Testing.Broker;

namespace AgentAccessBroker.Server.Tests;

[Collection(PostgresCollection.Name)]
public sealed class AuthorizationTests(PostgresFixture postgres)
{
    [Fact]
    public async Task AgentB_OnAgentATaskAndLease_IsForbidden()
    {
        await using var host = await BrokerHost.StartAsync(postgres);
        var (agentA, taskA) = await host.AgentWithTaskAsync("agent-a");
        var (agentB, _) = await host.AgentWithTaskAsync("agent-b");
        var grant = await agentA.SubmitRequestAsync(host.ReadInvoices(), CancellationToken.None);

        var calls = new Func<Task>[]
        {
            () => agentB.GetTaskAsync(taskA.Task.Id, CancellationToken.None),
            () => agentB.CompleteTaskAsync(taskA.Task.Id, CancellationToken.None),
            () => agentB.ListLeasesAsync(taskA.Task.Id, null, CancellationToken.None),
            () => agentB.ReleaseLeaseAsync(grant.Lease!.Id, CancellationToken.None),
            () => agentB.GetRequestAsync(grant.Request.Id, CancellationToken.None),
        };

        foreach (var call in calls)
        {
            var error = await Assert.ThrowsAsync<BrokerClientException>(call);
            Assert.Equal(403, error.Status);
        }

        Assert.Equal(1, await BrokerHost.QueryAsync(grant.Credential!.Forms["connection_string"], "SELECT 1"));
        Assert.Empty(await agentB.ListLeasesAsync(null, null, CancellationToken.None));
    }

    [Fact]
    public async Task SubmitRequest_WithAnotherAgentsTaskToken_IsForbidden()
    {
        await using var host = await BrokerHost.StartAsync(postgres);
        var (_, taskA) = await host.AgentWithTaskAsync("agent-a");
        var tokenB = await host.AgentAsync("agent-b");
        using var agentBWithTaskA = host.ClientFor(tokenB, taskA.TaskToken);

        var error = await Assert.ThrowsAsync<BrokerClientException>(() => agentBWithTaskA.SubmitRequestAsync(host.ReadInvoices(), CancellationToken.None));

        Assert.Equal(403, error.Status);
        Assert.Equal("invalid_task_token", error.Code);
    }

    [Fact]
    public async Task Calls_WithoutOrWithWrongToken_AreUnauthenticated()
    {
        await using var host = await BrokerHost.StartAsync(postgres);
        using var http = new HttpClient { BaseAddress = host.Address };

        var anonymous = await http.GetAsync("v1/tasks");
        using var wrong = host.ClientFor("aabu_not-a-real-token");
        var error = await Assert.ThrowsAsync<BrokerClientException>(() => wrong.ListTasksAsync(null, CancellationToken.None));

        Assert.Equal(401, (int)anonymous.StatusCode);
        Assert.Equal("application/problem+json", anonymous.Content.Headers.ContentType?.MediaType);
        Assert.Equal(401, error.Status);
        Assert.Equal("unauthenticated", error.Code);
    }

    [Fact]
    public async Task AgentToken_OnAdminEndpoints_IsForbidden()
    {
        await using var host = await BrokerHost.StartAsync(postgres);
        using var agent = host.ClientFor(await host.AgentAsync("agent-a"));

        var register = await Assert.ThrowsAsync<BrokerClientException>(() => agent.RegisterAgentAsync(new RegisterAgentBody("agent-b", "alice"), CancellationToken.None));
        var start = await Assert.ThrowsAsync<BrokerClientException>(() => agent.StartTaskAsync(new StartTaskBody("agent-a", "widen my own task", null, null, null), CancellationToken.None));
        var export = await Assert.ThrowsAsync<BrokerClientException>(() => agent.ExportAuditAsync(null, null, null, null, "jsonl", Stream.Null, CancellationToken.None));

        Assert.All(new[] { register, start, export }, e => Assert.Equal(403, e.Status));
    }
}
