using AgentAccessBroker.Client;
using AgentAccessBroker.Testing;
using AgentAccessBroker.Testing.Broker;

namespace AgentAccessBroker.Server.Tests;

[Collection(PostgresCollection.Name)]
public sealed class ApprovalTests(PostgresFixture postgres)
{
    private static AccessRequestBody ReadSalaries(BrokerHost host) =>
        new("app-db", [$"{host.Database}.hr.salaries"], ["SELECT"], "Check salary rows the billing export joins on", "15m");

    [Fact]
    public async Task PiiRequest_ApprovedByApprover_AgentClaimsWorkingCredential()
    {
        await using var host = await BrokerHost.StartAsync(postgres);
        var (agent, _) = await host.AgentWithTaskAsync("agent-a");
        using var bob = host.ClientFor(await host.PersonAsync("bob", "approver"));

        var pending = await agent.SubmitRequestAsync(ReadSalaries(host), CancellationToken.None);
        var listed = await bob.ListRequestsAsync("pending", null, CancellationToken.None);
        var vote = await bob.ApproveAsync(pending.Request.Id, new VoteBody("5m", "ok for the export fix"), CancellationToken.None);
        var claimed = await agent.ClaimRequestAsync(pending.Request.Id, CancellationToken.None);

        Assert.Equal("pending_approval", pending.Outcome);
        Assert.Contains(listed, r => r.Id == pending.Request.Id);
        Assert.Equal("approved", vote.Status);
        Assert.Equal("granted", claimed.Outcome);
        Assert.True(claimed.Lease!.ExpiresAt - claimed.Lease.CreatedAt <= TimeSpan.FromMinutes(5));
        Assert.Equal(0L, await BrokerHost.QueryAsync(claimed.Credential!.Forms["connection_string"], "SELECT count(*) FROM hr.salaries"));
    }

    [Fact]
    public async Task Vote_ByTaskOwner_IsRejectedAsSelfApproval()
    {
        await using var host = await BrokerHost.StartAsync(postgres);
        var (agent, _) = await host.AgentWithTaskAsync("agent-a");
        var pending = await agent.SubmitRequestAsync(ReadSalaries(host), CancellationToken.None);

        // The bootstrap admin started the task and is also in the approver group: it still may not approve.
        using var adminAsApprover = host.ClientFor(await host.PersonAsync("carol", "approver"));
        var selfApproval = await Assert.ThrowsAsync<BrokerClientException>(() => host.Admin.ApproveAsync(pending.Request.Id, new VoteBody(null, null), CancellationToken.None));

        Assert.Equal(403, selfApproval.Status);
        Assert.Equal("pending", (await host.Admin.GetRequestAsync(pending.Request.Id, CancellationToken.None)).Status);
    }

    [Fact]
    public async Task Deny_BeatsApproval_AndDecisionIsFinal()
    {
        await using var host = await BrokerHost.StartAsync(postgres);
        var (agent, _) = await host.AgentWithTaskAsync("agent-a");
        using var bob = host.ClientFor(await host.PersonAsync("bob", "approver"));
        using var carol = host.ClientFor(await host.PersonAsync("carol", "approver"));
        var pending = await agent.SubmitRequestAsync(ReadSalaries(host), CancellationToken.None);

        var denied = await bob.DenyAsync(pending.Request.Id, new VoteBody(null, "not needed for totals"), CancellationToken.None);
        var lateApproval = await carol.ApproveAsync(pending.Request.Id, new VoteBody(null, null), CancellationToken.None);
        var claim = await agent.ClaimRequestAsync(pending.Request.Id, CancellationToken.None);

        Assert.Equal("denied", denied.Status);
        Assert.Equal("already_decided", lateApproval.Outcome);
        Assert.Equal("denied", claim.Outcome);
        Assert.Null(claim.Credential);
    }

    [Fact]
    public async Task ConcurrentApprovals_ProduceExactlyOneLease()
    {
        await using var host = await BrokerHost.StartAsync(postgres);
        var (agent, task) = await host.AgentWithTaskAsync("agent-a");
        using var bob = host.ClientFor(await host.PersonAsync("bob", "approver"));
        var pending = await agent.SubmitRequestAsync(ReadSalaries(host), CancellationToken.None);

        await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => bob.ApproveAsync(pending.Request.Id, new VoteBody(null, null), CancellationToken.None)));
        var claims = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => agent.ClaimRequestAsync(pending.Request.Id, CancellationToken.None)));

        Assert.Single(claims, c => c.Outcome == "granted");
        Assert.Single(await host.Admin.ListLeasesAsync(task.Task.Id, null, CancellationToken.None));
    }

    [Fact]
    public async Task PendingRequest_NobodyDecides_ExpiresAsDenied()
    {
        await using var host = await BrokerHost.StartAsync(postgres, approvalTimeout: "1s");
        var (agent, _) = await host.AgentWithTaskAsync("agent-a");
        var pending = await agent.SubmitRequestAsync(ReadSalaries(host), CancellationToken.None);

        // The durable trigger fires once the timeout passes; poll the outcome with a deadline.
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(30);
        RequestView request;
        do
        {
            request = await host.Admin.GetRequestAsync(pending.Request.Id, CancellationToken.None);
        }
        while (request.Status == "pending" && DateTimeOffset.UtcNow < deadline && await Task.Delay(200).ContinueWith(_ => true));

        Assert.Equal("expired", request.Status);
        Assert.Equal("denied", (await agent.ClaimRequestAsync(pending.Request.Id, CancellationToken.None)).Outcome);
    }
}
