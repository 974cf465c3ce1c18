using System.Text.Json.Nodes;
using AgentAccessBroker.Approvals;
using AgentAccessBroker.Audit;
using AgentAccessBroker.Brokering;
using AgentAccessBroker.Domain;

namespace AgentAccessBroker.Storage.Tests;

/// <summary>Task end, principal cut-off, locks and the issuance guard (issue #21), on every engine.</summary>
public abstract partial class BrokerStoreConformance
{
    private static readonly LeaseState[] LiveStates = [LeaseState.Minting, LeaseState.Active, LeaseState.Revoking, LeaseState.RevocationFailed];

    private static AuditEntry Note(string type, string? taskId = null) => new(type, "test", null, taskId, null, null, new JsonObject());

    private async Task<(Lease Lease, AccessRequest Request, RequestUpdate Claim)> ApprovedWithPlannedLeaseAsync(BrokerTask task)
    {
        var request = await SeedRequestAsync(task, status: RequestStatus.Approved);
        var lease = NewLease(request, createdAt: Clock.GetUtcNow());
        return (lease, request, new RequestUpdate(RequestStatus.Issued, Clock.GetUtcNow(), LeaseId: lease.Id));
    }

    [Fact]
    public async Task EndTaskAsync_PendingApprovedAndLiveLeases_WithdrawsMarksDueAndAuditsTogether()
    {
        var task = await SeedTaskAsync();
        var pending = await SeedRequestAsync(task);
        var approved = await SeedRequestAsync(task, status: RequestStatus.Approved);
        var active = await SeedLeaseAsync(await SeedRequestAsync(task, status: RequestStatus.Issued), LeaseState.Active);
        var minting = await SeedLeaseAsync(await SeedRequestAsync(task, status: RequestStatus.Issued), LeaseState.Minting);
        var revoked = await SeedLeaseAsync(await SeedRequestAsync(task, status: RequestStatus.Issued), LeaseState.Revoked);
        Clock.Advance(TimeSpan.FromMinutes(1));
        var at = Clock.GetUtcNow();

        var ending = await Store.EndTaskAsync(task.Id, TaskState.Completed, at, "alice", "task completed", CancellationToken.None);

        Assert.True(ending.EndedNow);
        Assert.Equal(TaskState.Completed, (await Store.GetTaskAsync(task.Id, CancellationToken.None))!.State);
        Assert.Equal(new[] { pending.Id, approved.Id }.Order(StringComparer.Ordinal), ending.CutOff.Withdrawn.Select(r => r.Id).Order(StringComparer.Ordinal));
        Assert.Equal(RequestStatus.Withdrawn, (await Store.GetRequestAsync(pending.Id, CancellationToken.None))!.Status);
        Assert.Equal(RequestStatus.Withdrawn, (await Store.GetRequestAsync(approved.Id, CancellationToken.None))!.Status);
        Assert.Equal(2, ending.CutOff.MarkedDue);
        Assert.Equal(at, (await Store.GetLeaseAsync(active.Id, CancellationToken.None))!.DueAt);
        Assert.Equal(at, (await Store.GetLeaseAsync(minting.Id, CancellationToken.None))!.DueAt);
        Assert.Null((await Store.GetLeaseAsync(revoked.Id, CancellationToken.None))!.DueAt);

        // Due now, whatever their own end: the sweep finds both without waiting for the minting staleness.
        var due = await Store.ListDueLeasesAsync(at, at - TimeSpan.FromHours(1), 100, CancellationToken.None);
        Assert.Equal(new[] { active.Id, minting.Id }.Order(StringComparer.Ordinal), due.Select(l => l.Id).Order(StringComparer.Ordinal));
        var types = (await CollectAsync(Store.ReadAuditAsync(new(), CancellationToken.None))).Select(e => e.Type).ToList();
        Assert.Equal([AuditEventType.TaskCompleted, AuditEventType.RequestDecided, AuditEventType.RequestDecided, AuditEventType.LeaseMarkedDue, AuditEventType.LeaseMarkedDue], types);
    }

    [Fact]
    public async Task EndTaskAsync_AlreadyEnded_ChangesNothingButMarksNewlyFoundLeases()
    {
        var task = await SeedTaskAsync();
        await Store.EndTaskAsync(task.Id, TaskState.Cancelled, T0, "alice", "cancelled", CancellationToken.None);

        var again = await Store.EndTaskAsync(task.Id, TaskState.Completed, T0.AddMinutes(1), "alice", "completed", CancellationToken.None);

        Assert.False(again.EndedNow);
        Assert.Equal(TaskState.Cancelled, again.Task!.State);
        Assert.Equal(TaskState.Cancelled, (await Store.GetTaskAsync(task.Id, CancellationToken.None))!.State);
        Assert.Null((await Store.EndTaskAsync("task_unknown", TaskState.Completed, T0, "alice", "x", CancellationToken.None)).Task);
    }

    [Fact]
    public async Task EndTaskAsync_TwoThousandLiveLeases_MarksEveryOneDueAndPagingListsEachOnce()
    {
        var task = await SeedTaskAsync();
        var request = await SeedRequestAsync(task, status: RequestStatus.Issued);
        var ids = new List<string>();
        for (var i = 0; i < 2000; i++)
        {
            var lease = NewLease(request, LeaseState.Active, createdAt: T0.AddTicks(i / 3)); // ties on created_at exercise the id tiebreak
            await Store.InsertLeaseAsync(lease, CancellationToken.None);
            ids.Add(lease.Id);
        }

        var ending = await Store.EndTaskAsync(task.Id, TaskState.Completed, T0.AddMinutes(1), "alice", "task completed", CancellationToken.None);

        Assert.Equal(2000, ending.CutOff.MarkedDue);
        var seen = new List<string>();
        string? after = null;
        while (true)
        {
            var page = await Store.ListLeasesAsync(new LeaseQuery(TaskId: task.Id, States: LiveStates, Limit: 600, After: after), CancellationToken.None);
            seen.AddRange(page.Select(l => l.Id));
            Assert.All(page, l => Assert.Equal(T0.AddMinutes(1), l.DueAt));
            if (page.Count < 600)
            {
                break;
            }

            after = ListCursor.Of(page[^1].CreatedAt, page[^1].Id);
        }

        Assert.Equal(ids.Order(StringComparer.Ordinal), seen.Order(StringComparer.Ordinal));
        Assert.Equal(2000, seen.Distinct().Count());
        Assert.Equal(2000 + 1, await ScalarAsync("SELECT count(*) FROM aab_audit_events"));
    }

    [Fact]
    public async Task StartLeaseAsync_TaskEndedMeanwhile_RefusedWithTaskNotActiveAndNothingWritten()
    {
        var task = await SeedTaskAsync();
        var (lease, request, claim) = await ApprovedWithPlannedLeaseAsync(task);
        await Store.CompleteTaskAsync(task.Id, T0, CancellationToken.None);

        var refusal = await Assert.ThrowsAsync<BrokerError>(() => Store.StartLeaseAsync(request.Id, RequestStatus.Approved, claim, lease, SampleEntry("minting"), CancellationToken.None));

        Assert.Equal(IssuanceRefusals.TaskNotActiveCode, refusal.Code);
        Assert.Null(await Store.GetLeaseAsync(lease.Id, CancellationToken.None));
        Assert.Equal(RequestStatus.Approved, (await Store.GetRequestAsync(request.Id, CancellationToken.None))!.Status);
        Assert.Equal(0, await ScalarAsync("SELECT count(*) FROM aab_audit_events"));
    }

    [Fact]
    public async Task StartLeaseAsync_TaskPastDeadline_RefusedWithTaskNotActive()
    {
        var task = await SeedTaskAsync();
        var (lease, request, claim) = await ApprovedWithPlannedLeaseAsync(task);
        Clock.SetUtcNow(task.Deadline!.Value);

        var refusal = await Assert.ThrowsAsync<BrokerError>(() => Store.StartLeaseAsync(request.Id, RequestStatus.Approved, claim, lease, SampleEntry("minting"), CancellationToken.None));

        Assert.Equal(IssuanceRefusals.TaskNotActiveCode, refusal.Code);
        Assert.Null(await Store.GetLeaseAsync(lease.Id, CancellationToken.None));
    }

    [Fact]
    public async Task RecordRequestAsync_GrantForDisabledAgent_RefusedAndNothingRecorded()
    {
        var task = await SeedTaskAsync();
        await Store.SetPrincipalStatusAsync(task.AgentId, PrincipalStatus.Disabled, T0, "admin", Note(AuditEventType.PrincipalDisabled), CancellationToken.None);
        var request = NewRequest(task.AgentId, task.Id, status: RequestStatus.Issued);
        var lease = NewLease(request);

        var refusal = await Assert.ThrowsAsync<BrokerError>(() => Store.RecordRequestAsync(request, h => h, lease, [SampleEntry("granted")], CancellationToken.None));

        Assert.Equal(IssuanceRefusals.AgentDisabledCode, refusal.Code);
        Assert.Null(await Store.GetRequestAsync(request.Id, CancellationToken.None));
        Assert.Null(await Store.GetLeaseAsync(lease.Id, CancellationToken.None));
    }

    [Fact]
    public async Task CreateLockAsync_OnAgent_MarksLeasesDueRefusesNextLeaseAndPrincipalReadsLocked()
    {
        var task = await SeedTaskAsync();
        var live = await SeedLeaseAsync(await SeedRequestAsync(task, status: RequestStatus.Issued), LeaseState.Active);
        var (lease, request, claim) = await ApprovedWithPlannedLeaseAsync(task);
        var accessLock = new AccessLock("lock_1", LockSubject.Agent, task.AgentId, "token leaked in a log", "admin", T0, null);

        var cut = await Store.CreateLockAsync(accessLock, AuditEntries.LockCreated(accessLock), CancellationToken.None);

        Assert.Equal(1, cut.MarkedDue);
        Assert.Equal(request.Id, Assert.Single(cut.Withdrawn).Id);
        Assert.NotNull((await Store.GetLeaseAsync(live.Id, CancellationToken.None))!.DueAt);
        Assert.True((await Store.GetPrincipalAsync(task.AgentId, CancellationToken.None))!.Locked);
        Assert.True((await Store.FindPrincipalByTokenHashAsync("hash-" + task.AgentId, CancellationToken.None))!.Locked);
        var other = await ApprovedWithPlannedLeaseAsync(task);
        var refusal = await Assert.ThrowsAsync<BrokerError>(() =>
            Store.StartLeaseAsync(other.Request.Id, RequestStatus.Approved, other.Claim, other.Lease, SampleEntry("minting"), CancellationToken.None));
        Assert.Equal(IssuanceRefusals.AgentLockedCode, refusal.Code);
        Assert.Equal(accessLock, Assert.Single(await Store.ListLocksAsync(false, CancellationToken.None)));

        Assert.True(await Store.LiftLockAsync("lock_1", T0.AddMinutes(1), AuditEntries.LockLifted("admin", accessLock), CancellationToken.None));
        Assert.False(await Store.LiftLockAsync("lock_1", T0.AddMinutes(2), AuditEntries.LockLifted("admin", accessLock), CancellationToken.None));
        Assert.False((await Store.GetPrincipalAsync(task.AgentId, CancellationToken.None))!.Locked);
        Assert.Empty(await Store.ListLocksAsync(false, CancellationToken.None));
        Assert.Equal(T0.AddMinutes(1), Assert.Single(await Store.ListLocksAsync(true, CancellationToken.None)).LiftedAt);
        Assert.True(await Store.StartLeaseAsync(other.Request.Id, RequestStatus.Approved, other.Claim, other.Lease, SampleEntry("minting"), CancellationToken.None));
        _ = (lease, claim);
    }

    [Fact]
    public async Task CreateLockAsync_OnTask_RefusesLeasesOfThatTaskOnly()
    {
        var locked = await SeedTaskAsync();
        var free = await SeedTaskAsync(locked.AgentId);
        var accessLock = new AccessLock("lock_t", LockSubject.Task, locked.Id, "suspicious activity", "admin", T0, null);
        await Store.CreateLockAsync(accessLock, AuditEntries.LockCreated(accessLock), CancellationToken.None);
        var refused = await ApprovedWithPlannedLeaseAsync(locked);
        var allowed = await ApprovedWithPlannedLeaseAsync(free);

        var refusal = await Assert.ThrowsAsync<BrokerError>(() =>
            Store.StartLeaseAsync(refused.Request.Id, RequestStatus.Approved, refused.Claim, refused.Lease, SampleEntry("minting"), CancellationToken.None));

        Assert.Equal(IssuanceRefusals.TaskLockedCode, refusal.Code);
        Assert.True(await Store.StartLeaseAsync(allowed.Request.Id, RequestStatus.Approved, allowed.Claim, allowed.Lease, SampleEntry("minting"), CancellationToken.None));
    }

    [Fact]
    public async Task SetPrincipalStatusAsync_Removed_TokenNoLongerAuthenticatesAndLeasesAreDue()
    {
        var task = await SeedTaskAsync();
        var live = await SeedLeaseAsync(await SeedRequestAsync(task, status: RequestStatus.Issued), LeaseState.Active);

        var cut = await Store.SetPrincipalStatusAsync(task.AgentId, PrincipalStatus.Removed, T0, "admin", Note(AuditEventType.PrincipalRemoved), CancellationToken.None);

        Assert.Equal(1, cut!.MarkedDue);
        Assert.Null(await Store.FindPrincipalByTokenHashAsync("hash-" + task.AgentId, CancellationToken.None));
        Assert.Equal(PrincipalStatus.Removed, (await Store.GetPrincipalAsync(task.AgentId, CancellationToken.None))!.Status);
        Assert.Equal(T0, (await Store.GetLeaseAsync(live.Id, CancellationToken.None))!.DueAt);
        Assert.False(await Store.ReplaceTokenAsync(task.AgentId, "hash-new", null, Note(AuditEventType.TokenRotated), CancellationToken.None));
        Assert.Null(await Store.SetPrincipalStatusAsync("nobody", PrincipalStatus.Disabled, T0, "admin", Note(AuditEventType.PrincipalDisabled), CancellationToken.None));
    }

    [Fact]
    public async Task ReplaceTokenAsync_Enabled_OldHashStopsNewHashWithExpiryWorks()
    {
        var agent = await SeedAgentAsync();

        Assert.True(await Store.ReplaceTokenAsync(agent.Id, "hash-rotated", T0.AddDays(30), Note(AuditEventType.TokenRotated), CancellationToken.None));

        Assert.Null(await Store.FindPrincipalByTokenHashAsync("hash-" + agent.Id, CancellationToken.None));
        var found = await Store.FindPrincipalByTokenHashAsync("hash-rotated", CancellationToken.None);
        Assert.Equal(T0.AddDays(30), found!.TokenExpiresAt);
        Assert.Equal(PrincipalStatus.Enabled, found.Status);
        Assert.Equal(AuditEventType.TokenRotated, Assert.Single(await CollectAsync(Store.ReadAuditAsync(new(), CancellationToken.None))).Type);
    }

    [Fact]
    public async Task ListOverdueTasksAsync_OnlyActiveTasksAtOrPastDeadline()
    {
        var due = await SeedTaskAsync();
        var later = NewTask(due.AgentId) with { Deadline = T0.AddHours(9) };
        await Store.CreateTaskAsync(later, "hash-" + later.Id, CancellationToken.None);
        var ended = await SeedTaskAsync(due.AgentId);
        await Store.CompleteTaskAsync(ended.Id, T0, CancellationToken.None);

        var overdue = await Store.ListOverdueTasksAsync(due.Deadline!.Value, 10, CancellationToken.None);

        Assert.Equal(due.Id, Assert.Single(overdue).Id);
    }

    [Fact]
    public async Task CreatePrincipalAndTaskAndVote_WithEvents_CommitEventTogetherWithRow()
    {
        var agent = AgentPrincipal("agent-with-event", T0) with { TokenExpiresAt = T0.AddHours(1) };
        await Store.CreatePrincipalAsync(agent, "hash-ev", AuditEntries.PrincipalRegistered("admin", agent), CancellationToken.None);
        var task = NewTask(agent.Id);
        await Store.CreateTaskAsync(task, "hash-t", AuditEntries.TaskStarted("admin", task), CancellationToken.None);
        var request = await SeedRequestAsync(task);
        var vote = new ApprovalVote(request.Id, "bob", true, "api", null, null, null, T0);

        Assert.True(await Store.AddVoteAsync(vote, AuditEntries.Vote(request, vote, AuditEventType.ApprovalVoted, null), CancellationToken.None));
        Assert.False(await Store.AddVoteAsync(vote, AuditEntries.Vote(request, vote, AuditEventType.ApprovalVoted, null), CancellationToken.None));

        Assert.Equal(T0.AddHours(1), (await Store.GetPrincipalAsync(agent.Id, CancellationToken.None))!.TokenExpiresAt);
        var types = (await CollectAsync(Store.ReadAuditAsync(new(), CancellationToken.None))).Select(e => e.Type);
        Assert.Equal([AuditEventType.AgentRegistered, AuditEventType.TaskStarted, AuditEventType.ApprovalVoted], types);
    }

    [Fact]
    public async Task EndTaskAsync_RacingClaimsOnTwoNodes_EveryLeaseWrittenIsMarkedDue()
    {
        var task = await SeedTaskAsync();
        var second = OpenStore(Location);
        var claims = new List<(Lease Lease, AccessRequest Request, RequestUpdate Claim)>();
        for (var i = 0; i < 20; i++)
        {
            claims.Add(await ApprovedWithPlannedLeaseAsync(task));
        }

        var results = await RaceAsync(21, async i =>
        {
            if (i == 20)
            {
                await Store.EndTaskAsync(task.Id, TaskState.Completed, T0, "alice", "task completed", CancellationToken.None);
                return "ended";
            }

            var (lease, request, claim) = claims[i];
            try
            {
                return await (i % 2 == 0 ? Store : second).StartLeaseAsync(request.Id, RequestStatus.Approved, claim, lease, SampleEntry("minting"), CancellationToken.None)
                    ? "leased"
                    : "lost";
            }
            catch (BrokerError refusal)
            {
                return refusal.Code;
            }
        });

        // Each claim either committed before the end (its lease is marked due) or was refused; none slipped through.
        var leases = await Store.ListLeasesAsync(new LeaseQuery(TaskId: task.Id), CancellationToken.None);
        Assert.Equal(results.Count(r => r == "leased"), leases.Count);
        Assert.All(leases, l => Assert.NotNull(l.DueAt));
        Assert.All(results.Where(r => r is not ("leased" or "ended")), r => Assert.Equal(IssuanceRefusals.TaskNotActiveCode, r));
    }
}
