using AgentAccessBroker.Approvals;
using AgentAccessBroker.Decisions;
using AgentAccessBroker.Domain;

namespace AgentAccessBroker.Storage.Tests;

public abstract partial class BrokerStoreConformance
{
    protected static Assessment SampleAssessment() => new(
        72,
        DecisionKind.RequireApproval,
        [new RiskFactor("action_class", 40, "write access to a critical resource"), new RiskFactor("routine", -5, "granted twice before")],
        ["score 72 is at or above the approval threshold 50", "resource is tagged prod"],
        TimeSpan.FromTicks(18_000_000_007),
        2,
        true,
        new SuggestedRequest(["db.public.invoices"], ["SELECT"], TimeSpan.FromMinutes(15), "read-only access is granted automatically"),
        "rules/1.0");

    protected static AccessRequest NewRequest(string agentId, string taskId, DateTimeOffset? createdAt = null, RequestStatus status = RequestStatus.Pending) => new(
        Ids.New("req"),
        agentId,
        taskId,
        "billing-db",
        ["db.public.invoices", "db.public.customers"],
        ["SELECT", "UPDATE"],
        "re-run the failed export for November",
        TimeSpan.FromMinutes(30).Add(TimeSpan.FromTicks(9)),
        createdAt ?? T0,
        status,
        null,
        null,
        null,
        null);

    protected async Task<AccessRequest> SeedRequestAsync(BrokerTask? task = null, DateTimeOffset? createdAt = null, RequestStatus status = RequestStatus.Pending)
    {
        task ??= await SeedTaskAsync();
        var request = NewRequest(task.AgentId, task.Id, createdAt, status);
        await Store.CreateRequestAsync(request, CancellationToken.None);
        return request;
    }

    [Fact]
    public async Task CreateRequestAsync_DecidedWithAssessment_RoundTripsEveryField()
    {
        var task = await SeedTaskAsync();
        var request = NewRequest(task.AgentId, task.Id, status: RequestStatus.Issued) with
        {
            Assessment = SampleAssessment(),
            GrantedDuration = TimeSpan.FromMinutes(20).Add(TimeSpan.FromTicks(3)),
            DecidedAt = T0.AddSeconds(1).AddTicks(1),
            LeaseId = "lease_1",
        };

        await Store.CreateRequestAsync(request, CancellationToken.None);

        Assert.Equivalent(request, await Store.GetRequestAsync(request.Id, CancellationToken.None), strict: true);
    }

    [Fact]
    public async Task CreateRequestAsync_PendingWithoutDecision_RoundTripsNulls()
    {
        var request = await SeedRequestAsync();

        var stored = await Store.GetRequestAsync(request.Id, CancellationToken.None);

        Assert.Equivalent(request, stored, strict: true);
        Assert.Null(stored!.Assessment);
        Assert.Null(stored.GrantedDuration);
        Assert.Null(stored.DecidedAt);
        Assert.Null(stored.LeaseId);
        Assert.Null(await Store.GetRequestAsync("req_unknown", CancellationToken.None));
    }

    [Fact]
    public async Task TransitionRequestAsync_FromExpectedStatus_WritesDecisionFields()
    {
        var request = await SeedRequestAsync();
        var assessment = SampleAssessment();
        var at = T0.AddMinutes(3).AddTicks(5);

        var approved = await Store.TransitionRequestAsync(
            request.Id, RequestStatus.Pending, new RequestUpdate(RequestStatus.Approved, at, assessment, TimeSpan.FromMinutes(10)), CancellationToken.None);
        var issued = await Store.TransitionRequestAsync(
            request.Id, RequestStatus.Approved, new RequestUpdate(RequestStatus.Issued, at.AddSeconds(1), LeaseId: "lease_9"), CancellationToken.None);

        Assert.True(approved);
        Assert.True(issued);
        var stored = await Store.GetRequestAsync(request.Id, CancellationToken.None);
        Assert.Equivalent(
            request with
            {
                Status = RequestStatus.Issued,
                Assessment = assessment,
                GrantedDuration = TimeSpan.FromMinutes(10),
                DecidedAt = at.AddSeconds(1),
                LeaseId = "lease_9",
            },
            stored,
            strict: true);
    }

    [Fact]
    public async Task TransitionRequestAsync_NotInExpectedStatus_ReturnsFalseAndChangesNothing()
    {
        var request = await SeedRequestAsync();

        var moved = await Store.TransitionRequestAsync(
            request.Id, RequestStatus.Approved, new RequestUpdate(RequestStatus.Issued, T0, LeaseId: "lease_x"), CancellationToken.None);
        var unknown = await Store.TransitionRequestAsync(
            "req_unknown", RequestStatus.Pending, new RequestUpdate(RequestStatus.Denied, T0), CancellationToken.None);

        Assert.False(moved);
        Assert.False(unknown);
        Assert.Equivalent(request, await Store.GetRequestAsync(request.Id, CancellationToken.None), strict: true);
    }

    [Fact]
    public async Task TransitionRequestAsync_TwentyConcurrentDeciders_ExactlyOneWins()
    {
        var request = await SeedRequestAsync();
        var second = OpenStore(Location);

        var results = await RaceAsync(20, i => (i % 2 == 0 ? Store : second).TransitionRequestAsync(
            request.Id,
            RequestStatus.Pending,
            new RequestUpdate(i % 3 == 0 ? RequestStatus.Denied : RequestStatus.Approved, T0.AddSeconds(i)),
            CancellationToken.None));

        var winner = Assert.Single(Enumerable.Range(0, 20), i => results[i]);
        var stored = await Store.GetRequestAsync(request.Id, CancellationToken.None);
        Assert.Equal(winner % 3 == 0 ? RequestStatus.Denied : RequestStatus.Approved, stored!.Status);
        Assert.Equal(T0.AddSeconds(winner), stored.DecidedAt);
    }

    [Fact]
    public async Task ListRequestsAsync_Filters_ApplyAgentTaskStatusAndLimitInCreationOrder()
    {
        var task1 = await SeedTaskAsync();
        var task2 = await SeedTaskAsync(task1.AgentId);
        var otherAgentTask = await SeedTaskAsync();
        var r3 = await SeedRequestAsync(task1, T0.AddMinutes(3));
        var r1 = await SeedRequestAsync(task1, T0.AddMinutes(1), RequestStatus.Denied);
        var r2 = await SeedRequestAsync(task2, T0.AddMinutes(2));
        var r0 = await SeedRequestAsync(otherAgentTask, T0);

        Assert.Equal([r0.Id, r1.Id, r2.Id, r3.Id], (await Store.ListRequestsAsync(new(), CancellationToken.None)).Select(r => r.Id));
        Assert.Equal([r1.Id, r2.Id, r3.Id], (await Store.ListRequestsAsync(new(AgentId: task1.AgentId), CancellationToken.None)).Select(r => r.Id));
        Assert.Equal([r1.Id, r3.Id], (await Store.ListRequestsAsync(new(TaskId: task1.Id), CancellationToken.None)).Select(r => r.Id));
        Assert.Equal([r0.Id, r2.Id, r3.Id], (await Store.ListRequestsAsync(new(Status: RequestStatus.Pending), CancellationToken.None)).Select(r => r.Id));
        Assert.Equal([r3.Id], (await Store.ListRequestsAsync(new(TaskId: task1.Id, Status: RequestStatus.Pending), CancellationToken.None)).Select(r => r.Id));
        Assert.Equal([r0.Id, r1.Id], (await Store.ListRequestsAsync(new(Limit: 2), CancellationToken.None)).Select(r => r.Id));
    }

    [Fact]
    public async Task AddVoteAsync_EveryField_RoundTripsInVoteOrder()
    {
        var request = await SeedRequestAsync();
        var shortened = new ApprovalVote(request.Id, "bob", true, "slack", "U024BE7LH", TimeSpan.FromMinutes(5).Add(TimeSpan.FromTicks(1)), "only five minutes", T0.AddSeconds(2));
        var plain = new ApprovalVote(request.Id, "carol", false, "cli", null, null, null, T0.AddSeconds(1));

        Assert.True(await Store.AddVoteAsync(shortened, CancellationToken.None));
        Assert.True(await Store.AddVoteAsync(plain, CancellationToken.None));

        var votes = await Store.ListVotesAsync(request.Id, CancellationToken.None);
        Assert.Equal([plain, shortened], votes);
        Assert.Empty(await Store.ListVotesAsync("req_unknown", CancellationToken.None));
    }

    [Fact]
    public async Task AddVoteAsync_SameApproverAgain_ReturnsFalseAndKeepsFirstVote()
    {
        var request = await SeedRequestAsync();
        var first = new ApprovalVote(request.Id, "bob", true, "cli", null, null, null, T0);

        var recorded = await Store.AddVoteAsync(first, CancellationToken.None);
        var again = await Store.AddVoteAsync(first with { Approve = false, At = T0.AddMinutes(1) }, CancellationToken.None);

        Assert.True(recorded);
        Assert.False(again);
        Assert.Equal([first], await Store.ListVotesAsync(request.Id, CancellationToken.None));
    }

    [Fact]
    public async Task AddVoteAsync_TwentyConcurrentVotesBySameApprover_ExactlyOneRecorded()
    {
        var request = await SeedRequestAsync();
        var second = OpenStore(Location);

        var results = await RaceAsync(20, i => (i % 2 == 0 ? Store : second).AddVoteAsync(
            new ApprovalVote(request.Id, "bob", i % 2 == 0, i % 2 == 0 ? "cli" : "slack", null, null, null, T0.AddSeconds(i)), CancellationToken.None));

        Assert.Single(results, r => r);
        Assert.Single(await Store.ListVotesAsync(request.Id, CancellationToken.None));
    }
}
