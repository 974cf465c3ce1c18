using AgentAccessBroker.Audit;
using AgentAccessBroker.Decisions;
using AgentAccessBroker.Domain;

namespace AgentAccessBroker.Storage.Tests;

/// <summary>The writes that record a broker step together with its audit events: all of it or none of it.</summary>
public abstract partial class BrokerStoreConformance
{
    [Fact]
    public async Task RecordRequestAsync_NewRequest_StoresRowHistoryAndEventsInOrder()
    {
        var task = await SeedTaskAsync();
        var request = NewRequest(task.AgentId, task.Id, status: RequestStatus.Denied) with { Assessment = SampleAssessment(), DecidedAt = T0 };
        await Store.AppendAsync(SampleEntry("before"), CancellationToken.None);

        await Store.RecordRequestAsync(
            request,
            h => h with { Agent = h.Agent with { TotalRequests = 3 }, Task = h.Task with { Requests = 2 } },
            null,
            [SampleEntry("received", task.AgentId, task.Id), SampleEntry("decided", task.AgentId, task.Id)],
            CancellationToken.None);

        Assert.Equivalent(request, await Store.GetRequestAsync(request.Id, CancellationToken.None), strict: true);
        Assert.Empty(await Store.ListLeasesAsync(new LeaseQuery(TaskId: task.Id), CancellationToken.None));
        var history = await Store.GetHistoryAsync(task.AgentId, task.Id, CancellationToken.None);
        Assert.Equal(3, history.Agent.TotalRequests);
        Assert.Equal(2, history.Task.Requests);
        var events = await CollectAsync(Store.ReadAuditAsync(new(), CancellationToken.None));
        Assert.Equal(["before", "received", "decided"], events.Select(e => Note(e)));
        AssertValidChain(events);
    }

    [Fact]
    public async Task RecordRequestAsync_GrantedAtOnce_StoresIssuedRequestWithItsMintingLease()
    {
        var task = await SeedTaskAsync();
        var request = NewRequest(task.AgentId, task.Id, status: RequestStatus.Issued) with { Assessment = SampleAssessment(), DecidedAt = T0 };
        var lease = NewLease(request);
        request = request with { LeaseId = lease.Id };

        await Store.RecordRequestAsync(request, h => h, lease, [SampleEntry("decided"), SampleEntry("minting")], CancellationToken.None);

        Assert.Equivalent(request, await Store.GetRequestAsync(request.Id, CancellationToken.None), strict: true);
        Assert.Equivalent(lease, await Store.GetLeaseAsync(lease.Id, CancellationToken.None), strict: true);
        Assert.Equal(["decided", "minting"], (await CollectAsync(Store.ReadAuditAsync(new(), CancellationToken.None))).Select(e => Note(e)));
    }

    [Fact]
    public async Task RecordRequestAsync_HistoryUpdateThrows_WritesNothing()
    {
        var task = await SeedTaskAsync();
        var request = NewRequest(task.AgentId, task.Id, status: RequestStatus.Issued);
        var lease = NewLease(request);

        await Assert.ThrowsAsync<InvalidOperationException>(() => Store.RecordRequestAsync(
            request, _ => throw new InvalidOperationException("fold failed"), lease, [SampleEntry("received")], CancellationToken.None));

        Assert.Null(await Store.GetRequestAsync(request.Id, CancellationToken.None));
        Assert.Null(await Store.GetLeaseAsync(lease.Id, CancellationToken.None));
        Assert.Empty(await CollectAsync(Store.ReadAuditAsync(new(), CancellationToken.None)));
        Assert.Equal(0, (await Store.GetHistoryAsync(task.AgentId, task.Id, CancellationToken.None)).Task.Requests);

        // The failed transaction leaves the store able to write the same request afterwards.
        await Store.RecordRequestAsync(request, h => HistoryFold.RecordRequest(h, T0), lease, [SampleEntry("received")], CancellationToken.None);
        Assert.NotNull(await Store.GetLeaseAsync(lease.Id, CancellationToken.None));
        Assert.Equal(1, (await Store.GetHistoryAsync(task.AgentId, task.Id, CancellationToken.None)).Task.Requests);
    }

    [Fact]
    public async Task StartLeaseAsync_ApprovedRequest_ClaimsItAndWritesLeaseAndEvent()
    {
        var request = await SeedRequestAsync(status: RequestStatus.Approved);
        var lease = NewLease(request);

        var started = await Store.StartLeaseAsync(
            request.Id, RequestStatus.Approved, new RequestUpdate(RequestStatus.Issued, T0.AddSeconds(1), LeaseId: lease.Id), lease, SampleEntry("minting"), CancellationToken.None);

        Assert.True(started);
        var claimed = await Store.GetRequestAsync(request.Id, CancellationToken.None);
        Assert.Equal(RequestStatus.Issued, claimed!.Status);
        Assert.Equal(lease.Id, claimed.LeaseId);
        Assert.Equivalent(lease, await Store.GetLeaseAsync(lease.Id, CancellationToken.None), strict: true);
        Assert.Equal("minting", Note(Assert.Single(await CollectAsync(Store.ReadAuditAsync(new(), CancellationToken.None)))));
    }

    [Fact]
    public async Task StartLeaseAsync_TwentyConcurrentClaimsFromTwoNodes_ExactlyOneLeaseAndEvent()
    {
        var request = await SeedRequestAsync(status: RequestStatus.Approved);
        var second = OpenStore(Location);

        var results = await RaceAsync(20, i =>
        {
            var lease = NewLease(request);
            return (i % 2 == 0 ? Store : second).StartLeaseAsync(
                request.Id, RequestStatus.Approved, new RequestUpdate(RequestStatus.Issued, T0, LeaseId: lease.Id), lease, SampleEntry("minting " + i), CancellationToken.None);
        });

        Assert.Single(results, r => r);
        var lease = Assert.Single(await Store.ListLeasesAsync(new LeaseQuery(TaskId: request.TaskId), CancellationToken.None));
        Assert.Equal(lease.Id, (await Store.GetRequestAsync(request.Id, CancellationToken.None))!.LeaseId);
        Assert.Single(await CollectAsync(Store.ReadAuditAsync(new(), CancellationToken.None)));
    }

    [Fact]
    public async Task TransitionLeaseAsync_WithEvents_AppendsThemOnlyWhenTheLeaseMoved()
    {
        var lease = await SeedLeaseAsync();

        var moved = await Store.TransitionLeaseAsync(lease.Id, [LeaseState.Minting], new LeaseUpdate(LeaseState.Active), [SampleEntry("minted")], CancellationToken.None);
        var again = await Store.TransitionLeaseAsync(lease.Id, [LeaseState.Minting], new LeaseUpdate(LeaseState.Active), [SampleEntry("minted twice")], CancellationToken.None);
        var revoked = await Store.TransitionLeaseAsync(
            lease.Id, [LeaseState.Active], new LeaseUpdate(LeaseState.Revoked, RevokedAt: T0), [SampleEntry("revoked"), SampleEntry("verified")], CancellationToken.None);

        Assert.True(moved);
        Assert.False(again);
        Assert.True(revoked);
        var events = await CollectAsync(Store.ReadAuditAsync(new(), CancellationToken.None));
        Assert.Equal(["minted", "revoked", "verified"], events.Select(e => Note(e)));
        AssertValidChain(events);
    }

    [Fact]
    public async Task ActivateLeaseAsync_MintingLease_BecomesActiveWithItsDataAndEventOnce()
    {
        var lease = await SeedLeaseAsync();
        var data = new Dictionary<string, string> { ["role"] = "aab_lease_1", ["role_oid"] = "16384" };

        var activated = await Store.ActivateLeaseAsync(lease.Id, data, SampleEntry("minted"), CancellationToken.None);
        var again = await Store.ActivateLeaseAsync(lease.Id, new Dictionary<string, string> { ["role"] = "other" }, SampleEntry("minted twice"), CancellationToken.None);
        await Store.AppendAsync(SampleEntry("next"), CancellationToken.None);

        Assert.True(activated);
        Assert.False(again);
        Assert.Equivalent(lease with { State = LeaseState.Active, RevocationData = data }, await Store.GetLeaseAsync(lease.Id, CancellationToken.None), strict: true);
        var events = await CollectAsync(Store.ReadAuditAsync(new(), CancellationToken.None));
        Assert.Equal(["minted", "next"], events.Select(e => Note(e)));
        AssertValidChain(events);
    }

    [Fact]
    public async Task StartRevocationAttemptAsync_ActiveLease_MovesToRevokingWithItsDeadlineAndEventOnce()
    {
        var lease = await SeedLeaseAsync(state: LeaseState.Active);
        var deadline = T0.AddSeconds(30);
        var update = new LeaseUpdate(LeaseState.Revoking, LastError: "attempt 1 running", NextAttemptAt: deadline);

        var started = await Store.StartRevocationAttemptAsync(lease.Id, [LeaseState.Active], update, [SampleEntry("requested")], CancellationToken.None);
        var again = await Store.StartRevocationAttemptAsync(lease.Id, [LeaseState.Active], update, [SampleEntry("requested twice")], CancellationToken.None);
        await Store.AppendAsync(SampleEntry("next"), CancellationToken.None);

        Assert.True(started);
        Assert.False(again);
        Assert.Equivalent(
            lease with { State = LeaseState.Revoking, LastError = "attempt 1 running", NextAttemptAt = deadline },
            await Store.GetLeaseAsync(lease.Id, CancellationToken.None),
            strict: true);
        var events = await CollectAsync(Store.ReadAuditAsync(new(), CancellationToken.None));
        Assert.Equal(["requested", "next"], events.Select(e => Note(e)));
        AssertValidChain(events);
    }

    [Fact]
    public async Task FinishRevocationAttemptAsync_ConcurrentOutcomes_EachLeaseMovesOnceWithItsEventsInOneChain()
    {
        var leases = new List<Lease>();
        for (var i = 0; i < 12; i++)
        {
            leases.Add(await SeedLeaseAsync(state: i == 0 ? LeaseState.Active : LeaseState.Revoking));
        }

        // Two outcomes for each revoking lease (only one may win), and one for a lease not in the expected state.
        var results = await RaceAsync(23, i => Store.FinishRevocationAttemptAsync(
            leases[i < 22 ? 1 + i / 2 : 0].Id,
            [LeaseState.Revoking],
            new LeaseUpdate(LeaseState.Revoked, RevokedAt: T0, VerifiedAt: T0),
            [SampleEntry($"revoked {i}"), SampleEntry($"verified {i}")]));

        Assert.False(results[22]);
        var events = await CollectAsync(Store.ReadAuditAsync(new(), CancellationToken.None));
        for (var lease = 1; lease < 12; lease++)
        {
            var winner = Assert.Single(new[] { 2 * (lease - 1), (2 * (lease - 1)) + 1 }, i => results[i]);
            Assert.Equal(LeaseState.Revoked, (await Store.GetLeaseAsync(leases[lease].Id, CancellationToken.None))!.State);
            var notes = events.Select(e => Note(e)).ToList();
            Assert.Equal(notes.IndexOf($"revoked {winner}") + 1, notes.IndexOf($"verified {winner}"));
        }

        Assert.Equal(22, events.Count);
        Assert.Equal(LeaseState.Active, (await Store.GetLeaseAsync(leases[0].Id, CancellationToken.None))!.State);
        AssertValidChain(events);
    }

    [Fact]
    public async Task TransitionRequestAsync_WithEvents_AppendsThemOnlyForTheWinner()
    {
        var request = await SeedRequestAsync();
        var second = OpenStore(Location);

        var results = await RaceAsync(10, i => (i % 2 == 0 ? Store : second).TransitionRequestAsync(
            request.Id, RequestStatus.Pending, new RequestUpdate(RequestStatus.Denied, T0), [SampleEntry("decided by " + i)], CancellationToken.None));

        var winner = Assert.Single(Enumerable.Range(0, 10), i => results[i]);
        Assert.Equal("decided by " + winner, Note(Assert.Single(await CollectAsync(Store.ReadAuditAsync(new(), CancellationToken.None)))));
    }

    private static string Note(AuditEvent e) => System.Text.Json.Nodes.JsonNode.Parse(e.Data)!["note"]!.GetValue<string>();
}
