using AgentAccessBroker.Approvals;
using AgentAccessBroker.Audit;
using AgentAccessBroker.Brokering;
using AgentAccessBroker.Domain;
using AgentAccessBroker.Storage;

namespace AgentAccessBroker.Server.Tests;

/// <summary>
/// Issue #21 on the broker's core flow (SQLite store, scripted provider, manual clock): nothing is issued outside a
/// live task, task end and cut-offs revoke everything, and ownership has one source of truth.
/// </summary>
public sealed class LifecycleFlowTests : IAsyncLifetime
{
    private readonly BrokerFlowHarness _flow = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _flow.DisposeAsync();

    [Fact]
    public async Task Claim_AfterTaskCompleted_RefusedTaskNotActiveAndNothingMinted()
    {
        var (agent, task) = await _flow.AgentWithTaskAsync();
        var approved = await _flow.ApprovedAsync(agent, task);
        var admin = (await _flow.Store.GetPrincipalAsync("admin", CancellationToken.None))!;
        await _flow.Tasks.CompleteAsync(admin, task.Id, CancellationToken.None);

        var refusal = await Assert.ThrowsAsync<BrokerError>(() => _flow.Intake.CheckAsync(agent, approved.Id, CancellationToken.None));

        Assert.Equal((BrokerErrorKind.Conflict, IssuanceRefusals.TaskNotActiveCode), (refusal.Kind, refusal.Code));
        Assert.Equal(0, _flow.Provider.MintCalls);
        Assert.Equal(RequestStatus.Withdrawn, (await _flow.Store.GetRequestAsync(approved.Id, CancellationToken.None))!.Status);
        Assert.Empty(await _flow.Store.ListLeasesAsync(new LeaseQuery(TaskId: task.Id), CancellationToken.None));
    }

    [Fact]
    public async Task Claim_AfterAgentRemovedFromPolicy_RefusedAgentNotInPolicyAndNothingMinted()
    {
        var (agent, task) = await _flow.AgentWithTaskAsync();
        var approved = await _flow.ApprovedAsync(agent, task);
        _flow.LoadPolicy(BrokerFlowHarness.PolicyYaml.Replace("agents: [{ id: agent-a, owner: alice }]", "agents: [{ id: agent-z, owner: alice }]", StringComparison.Ordinal));

        var refusal = await Assert.ThrowsAsync<BrokerError>(() => _flow.Intake.CheckAsync(agent, approved.Id, CancellationToken.None));

        Assert.Equal(IssuanceRefusals.AgentNotInPolicyCode, refusal.Code);
        Assert.Equal(0, _flow.Provider.MintCalls);
        Assert.Equal(RequestStatus.Withdrawn, (await _flow.Store.GetRequestAsync(approved.Id, CancellationToken.None))!.Status);
        Assert.Contains(await _flow.AuditAsync(), e => e.Type == AuditEventType.ClaimRefused && e.RequestId == approved.Id);
    }

    [Fact]
    public async Task Claim_AfterClaimWindow_RefusedApprovalExpiredEveryTimeAndNothingMinted()
    {
        var (agent, task) = await _flow.AgentWithTaskAsync();
        var approved = await _flow.ApprovedAsync(agent, task);
        _flow.Clock.Advance(SensitivityRulesWindow + TimeSpan.FromSeconds(1));

        var first = await Assert.ThrowsAsync<BrokerError>(() => _flow.Intake.CheckAsync(agent, approved.Id, CancellationToken.None));
        var second = await Assert.ThrowsAsync<BrokerError>(() => _flow.Intake.CheckAsync(agent, approved.Id, CancellationToken.None));

        Assert.Equal(IssuanceRefusals.ApprovalExpiredCode, first.Code);
        Assert.Equal(IssuanceRefusals.ApprovalExpiredCode, second.Code);
        Assert.Equal(0, _flow.Provider.MintCalls);
    }

    [Fact]
    public async Task Claim_WithinClaimWindow_Minted()
    {
        var (agent, task) = await _flow.AgentWithTaskAsync();
        var approved = await _flow.ApprovedAsync(agent, task);
        _flow.Clock.Advance(SensitivityRulesWindow - TimeSpan.FromSeconds(1));

        Assert.IsType<RequestOutcome.Granted>(await _flow.Intake.CheckAsync(agent, approved.Id, CancellationToken.None));
    }

    [Fact]
    public async Task Claim_AfterDeadline_RefusedNot500AndRequestNotLeftApproved()
    {
        var (agent, task) = await DeadlineTaskAsync(TimeSpan.FromMinutes(10));
        var approved = await _flow.ApprovedAsync(agent, task);
        _flow.Clock.Advance(TimeSpan.FromMinutes(10));

        var refusal = await Assert.ThrowsAsync<BrokerError>(() => _flow.Intake.CheckAsync(agent, approved.Id, CancellationToken.None));

        Assert.Equal(IssuanceRefusals.TaskNotActiveCode, refusal.Code);
        Assert.Equal(RequestStatus.Withdrawn, (await _flow.Store.GetRequestAsync(approved.Id, CancellationToken.None))!.Status);
        Assert.Equal(0, _flow.Provider.MintCalls);
    }

    [Fact]
    public async Task Submit_AutoGrantableAfterDeadline_RefusedTaskNotActiveNothingStored()
    {
        var (agent, task) = await DeadlineTaskAsync(TimeSpan.FromMinutes(10));
        _flow.Clock.Advance(TimeSpan.FromMinutes(11));

        var refusal = await Assert.ThrowsAsync<BrokerError>(() => _flow.SubmitReadAsync(agent, task));

        Assert.Equal((BrokerErrorKind.Conflict, IssuanceRefusals.TaskNotActiveCode), (refusal.Kind, refusal.Code));
        Assert.Equal(0, _flow.Provider.MintCalls);
        Assert.Empty(await _flow.Store.ListRequestsAsync(new RequestQuery(TaskId: task.Id), CancellationToken.None));
    }

    [Fact]
    public async Task Sweep_TaskPastDeadline_EndsItWithdrawsRequestsAndRevokesLeases()
    {
        var (agent, task) = await DeadlineTaskAsync(TimeSpan.FromHours(1));
        var grant = Assert.IsType<RequestOutcome.Granted>(await _flow.SubmitReadAsync(agent, task));
        var pending = Assert.IsType<RequestOutcome.PendingApproval>(await _flow.Intake.SubmitAsync(agent, task, BrokerFlowHarness.ReadVaultOne, false, CancellationToken.None));
        Assert.Contains(_flow.Scheduler.Deadlines, d => d.TaskId == task.Id && d.At == task.Deadline);
        _flow.Clock.Advance(TimeSpan.FromHours(1));

        await _flow.Sweep.RunAsync(CancellationToken.None);

        Assert.Equal(TaskState.Expired, (await _flow.Store.GetTaskAsync(task.Id, CancellationToken.None))!.State);
        Assert.Equal(LeaseState.Revoked, (await _flow.Store.GetLeaseAsync(grant.Lease.Id, CancellationToken.None))!.State);
        Assert.False(_flow.Provider.IsLive(grant.Lease.Id));
        Assert.Equal(RequestStatus.Withdrawn, (await _flow.Store.GetRequestAsync(pending.Request.Id, CancellationToken.None))!.Status);
        Assert.Contains(await _flow.AuditAsync(), e => e.Type == AuditEventType.TaskExpired && e.TaskId == task.Id);
    }

    [Theory]
    [InlineData(600)]
    [InlineData(2000)]
    public async Task Complete_ManyLiveLeases_RevokesEveryOne(int count)
    {
        var (_, task) = await _flow.AgentWithTaskAsync();
        var request = (await _flow.Store.ListRequestsAsync(new RequestQuery(TaskId: task.Id), CancellationToken.None)).FirstOrDefault();
        var seed = request ?? Assert.IsType<RequestOutcome.Granted>(await _flow.SubmitReadAsync((await _flow.Store.GetPrincipalAsync("agent-a", CancellationToken.None))!, task)).Request;
        var template = (await _flow.Store.ListLeasesAsync(new LeaseQuery(TaskId: task.Id), CancellationToken.None)).Single();
        for (var i = 1; i < count; i++)
        {
            var id = Ids.New("lease");
            await _flow.Store.InsertLeaseAsync(template with { Id = id, RevocationData = new Dictionary<string, string>(template.RevocationData) { ["handle"] = id } }, CancellationToken.None);
            _flow.Provider.Adopt(id);
        }

        Assert.Equal(count, _flow.Provider.LiveCount);
        var admin = (await _flow.Store.GetPrincipalAsync("admin", CancellationToken.None))!;

        var (_, already, revoked, failed) = await _flow.Tasks.CompleteAsync(admin, task.Id, CancellationToken.None);

        Assert.False(already);
        Assert.Equal((count, 0), (revoked, failed));
        Assert.Equal(0, _flow.Provider.LiveCount);
        Assert.Empty(await _flow.Store.ListLeasesAsync(new LeaseQuery(TaskId: task.Id, States: [LeaseState.Minting, LeaseState.Active, LeaseState.Revoking, LeaseState.RevocationFailed]), CancellationToken.None));
        _ = seed;
    }

    [Fact]
    public async Task Completion_CrashAfterTransition_SweepRevokesEveryMarkedLease()
    {
        // The durable transition committed, then the process died before revoking anything.
        var (agent, task) = await _flow.AgentWithTaskAsync();
        var first = Assert.IsType<RequestOutcome.Granted>(await _flow.SubmitReadAsync(agent, task));
        var second = Assert.IsType<RequestOutcome.Granted>(await _flow.SubmitReadAsync(agent, task));
        await _flow.Store.EndTaskAsync(task.Id, TaskState.Completed, _flow.Clock.GetUtcNow(), "admin", "task completed", CancellationToken.None);

        var (revoked, failed, _) = await _flow.Sweep.RunAsync(CancellationToken.None);

        Assert.Equal((2, 0), (revoked, failed));
        Assert.False(_flow.Provider.IsLive(first.Lease.Id));
        Assert.False(_flow.Provider.IsLive(second.Lease.Id));
    }

    [Fact]
    public async Task Sweep_LeaseStuckMintingAfterMintTimeout_RevokedAfter60SecondsNotFiveMinutes()
    {
        var (agent, task) = await _flow.AgentWithTaskAsync();
        var grant = Assert.IsType<RequestOutcome.Granted>(await _flow.SubmitReadAsync(agent, task));
        await _flow.Store.InsertLeaseAsync(grant.Lease with { Id = "lease_stuck", State = LeaseState.Minting, CreatedAt = _flow.Clock.GetUtcNow() }, CancellationToken.None);

        _flow.Clock.Advance(TimeSpan.FromSeconds(59));
        await _flow.Sweep.RunAsync(CancellationToken.None);
        var before = (await _flow.Store.GetLeaseAsync("lease_stuck", CancellationToken.None))!.State;
        _flow.Clock.Advance(TimeSpan.FromSeconds(2));
        await _flow.Sweep.RunAsync(CancellationToken.None);

        Assert.Equal(LeaseState.Minting, before);
        Assert.Equal(LeaseState.Revoked, (await _flow.Store.GetLeaseAsync("lease_stuck", CancellationToken.None))!.State);
        Assert.True(CredentialIssuer.MintTimeout < RevocationSweep.MintingStaleAfter);
    }

    [Fact]
    public async Task Register_OwnerDisagreesWithPolicy_RefusedOwnerMismatch()
    {
        await _flow.Store.MigrateAsync(CancellationToken.None);

        var refusal = await Assert.ThrowsAsync<BrokerError>(() => _flow.Registry.RegisterAsync("admin", "agent-a", PrincipalRole.Agent, "bob", CancellationToken.None));
        var (taken, _) = await _flow.Registry.RegisterAsync("admin", "agent-a", PrincipalRole.Agent, null, CancellationToken.None);

        Assert.Equal("owner_mismatch", refusal.Code);
        Assert.Equal("alice", taken.Owner);
    }

    [Theory]
    [InlineData("alice", "self_approval")] // the agent's owner by the policy
    [InlineData("admin", "not_an_approver")]
    public async Task Vote_ByAgentOwner_RejectedAsSelfApproval(string approver, string code)
    {
        var (agent, task) = await _flow.AgentWithTaskAsync();
        var pending = Assert.IsType<RequestOutcome.PendingApproval>(await _flow.Intake.SubmitAsync(agent, task, BrokerFlowHarness.ReadVaultOne, false, CancellationToken.None));

        var result = await _flow.Desk.VoteAsync(pending.Request.Id, approver, true, "slack", "U0X", null, null, CancellationToken.None);

        Assert.Equal(code, Assert.IsType<VoteResult.Rejected>(result).Code);
    }

    [Fact]
    public async Task Vote_ByRequestingPrincipal_RejectedAsSelfApproval()
    {
        var (agent, task) = await _flow.AgentWithTaskAsync();
        var pending = Assert.IsType<RequestOutcome.PendingApproval>(await _flow.Intake.SubmitAsync(agent, task, BrokerFlowHarness.ReadVaultOne, false, CancellationToken.None));

        var result = await _flow.Desk.VoteAsync(pending.Request.Id, agent.Id, true, "api", null, null, null, CancellationToken.None);

        Assert.Equal("self_approval", Assert.IsType<VoteResult.Rejected>(result).Code);
    }

    [Fact]
    public async Task LockAgent_RevokesLiveLeasesAndRefusesNextSubmitAndToken()
    {
        var (agent, task) = await _flow.AgentWithTaskAsync();
        var grant = Assert.IsType<RequestOutcome.Granted>(await _flow.SubmitReadAsync(agent, task));
        var admin = (await _flow.Store.GetPrincipalAsync("admin", CancellationToken.None))!;

        var locked = await _flow.Locks.LockAsync(admin, LockSubject.Agent, agent.Id, "token leaked", CancellationToken.None);

        Assert.Equal(1, locked.Revoked);
        Assert.False(_flow.Provider.IsLive(grant.Lease.Id));
        var current = (await _flow.Store.GetPrincipalAsync(agent.Id, CancellationToken.None))!;
        var refusal = await Assert.ThrowsAsync<BrokerError>(() => _flow.SubmitReadAsync(current, task));
        Assert.Equal(IssuanceRefusals.AgentLockedCode, refusal.Code);
        Assert.Contains(await _flow.AuditAsync(), e => e.Type == AuditEventType.LockCreated);
    }

    [Fact]
    public async Task LockTask_RefusesApprovalOfItsPendingRequest()
    {
        var (agent, task) = await _flow.AgentWithTaskAsync();
        var pending = Assert.IsType<RequestOutcome.PendingApproval>(await _flow.Intake.SubmitAsync(agent, task, BrokerFlowHarness.ReadVaultOne, false, CancellationToken.None));
        var admin = (await _flow.Store.GetPrincipalAsync("admin", CancellationToken.None))!;

        var locked = await _flow.Locks.LockAsync(admin, LockSubject.Task, task.Id, "under investigation", CancellationToken.None);
        var vote = await _flow.Desk.VoteAsync(pending.Request.Id, "bob", true, "api", null, null, null, CancellationToken.None);

        Assert.Equal(1, locked.Withdrawn);
        Assert.IsType<VoteResult.AlreadyDecided>(vote);
        Assert.Equal(RequestStatus.Withdrawn, (await _flow.Store.GetRequestAsync(pending.Request.Id, CancellationToken.None))!.Status);
    }

    [Fact]
    public async Task DisableAgent_RevokesLeasesAndTokenNoLongerAuthenticates()
    {
        await _flow.Store.MigrateAsync(CancellationToken.None);
        var (_, token) = await _flow.Registry.RegisterAsync("test", "agent-a", PrincipalRole.Agent, null, CancellationToken.None);
        var (admin, _) = await _flow.Registry.RegisterAsync("test", "admin", PrincipalRole.Admin, null, CancellationToken.None);
        var (task, _) = await _flow.Tasks.StartAsync(admin, "agent-a", "read box one for the report", ["box.one"], "dev", null, CancellationToken.None);
        var agent = (await _flow.Registry.AuthenticateAsync(token, CancellationToken.None))!;
        var grant = Assert.IsType<RequestOutcome.Granted>(await _flow.SubmitReadAsync(agent, task));

        var outcome = await _flow.Principals.DisableAsync(admin, "agent-a", "offboarded", CancellationToken.None);

        Assert.Equal(1, outcome.Revoked);
        Assert.False(_flow.Provider.IsLive(grant.Lease.Id));
        Assert.Null(await _flow.Registry.AuthenticateAsync(token, CancellationToken.None));
        await _flow.Principals.EnableAsync(admin, "agent-a", null, CancellationToken.None);
        Assert.NotNull(await _flow.Registry.AuthenticateAsync(token, CancellationToken.None));
        var (_, rotated) = await _flow.Principals.RotateTokenAsync(admin, "agent-a", _flow.Clock.GetUtcNow().AddHours(1), CancellationToken.None);
        Assert.Null(await _flow.Registry.AuthenticateAsync(token, CancellationToken.None));
        Assert.NotNull(await _flow.Registry.AuthenticateAsync(rotated, CancellationToken.None));
        _flow.Clock.Advance(TimeSpan.FromHours(1));
        Assert.Null(await _flow.Registry.AuthenticateAsync(rotated, CancellationToken.None));
        var types = (await _flow.AuditAsync()).Select(e => e.Type).ToList();
        Assert.Contains(AuditEventType.PrincipalDisabled, types);
        Assert.Contains(AuditEventType.PrincipalEnabled, types);
        Assert.Contains(AuditEventType.TokenRotated, types);
    }

    private static TimeSpan SensitivityRulesWindow => Policy.SensitivityRules.DefaultClaimWindow;

    private async Task<(Principal Agent, BrokerTask Task)> DeadlineTaskAsync(TimeSpan deadlineIn)
    {
        var (agent, _) = await _flow.AgentWithTaskAsync();
        var admin = (await _flow.Store.GetPrincipalAsync("admin", CancellationToken.None))!;
        var (task, _) = await _flow.Tasks.StartAsync(admin, agent.Id, "read box one for the report", ["box.one"], "dev", _flow.Clock.GetUtcNow() + deadlineIn, CancellationToken.None);
        return (agent, task);
    }
}
