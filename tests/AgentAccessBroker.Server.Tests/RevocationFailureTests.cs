using AgentAccessBroker.Audit;
using AgentAccessBroker.Brokering;
using AgentAccessBroker.Credentials;
using AgentAccessBroker.Domain;
using AgentAccessBroker.Storage;

namespace AgentAccessBroker.Server.Tests;

public sealed class RevocationFailureTests
{
    [Fact]
    public async Task Revoke_ProviderDown_LeaseShowsFailureAndAuditAndRetryIsScheduledWithBackoff()
    {
        await using var flow = new BrokerFlowHarness();
        var (_, task, grant) = await flow.GrantAsync();
        flow.Provider.RevocationFailuresLeft = 2;

        var first = await flow.Revoker.RevokeAsync(grant.Lease.Id, "test", "released", onlyIfDue: false, CancellationToken.None);
        var afterFirst = await flow.Store.GetLeaseAsync(grant.Lease.Id, CancellationToken.None);
        flow.Clock.Advance(LeaseRevoker.FirstBackoff);
        var second = await flow.Sweep.RunAsync(CancellationToken.None);
        var afterSecond = await flow.Store.GetLeaseAsync(grant.Lease.Id, CancellationToken.None);

        Assert.Equal(RevocationOutcome.Failed, first);
        Assert.Equal(LeaseState.RevocationFailed, afterFirst!.State);
        Assert.Equal(1, afterFirst.RevocationAttempts);
        Assert.Contains("box API unavailable (503)", afterFirst.LastError, StringComparison.Ordinal);
        Assert.Equal(flow.Clock.GetUtcNow(), afterFirst.NextAttemptAt);
        Assert.Equal((0, 1, 0), second);
        Assert.Equal(2, afterSecond!.RevocationAttempts);
        Assert.Equal(LeaseRevoker.FirstBackoff * 2, afterSecond.NextAttemptAt - flow.Clock.GetUtcNow());
        Assert.Contains(flow.Scheduler.Leases, s => s.LeaseId == grant.Lease.Id && s.At == afterSecond.NextAttemptAt);
        Assert.True(flow.Provider.IsLive(grant.Lease.Id));
        var failures = (await flow.AuditAsync()).Where(e => e.Type == AuditEventType.RevocationFailed).ToList();
        Assert.Equal(2, failures.Count);
        Assert.All(failures, e => Assert.Contains("box API unavailable", e.Data, StringComparison.Ordinal));
        Assert.All(await flow.AuditAsync(), e => Assert.DoesNotContain("s3cr3t", e.Data, StringComparison.Ordinal));

        // Not due yet: nothing happens; once due, the sweep finishes the job and the lease is verified revoked.
        Assert.Equal((0, 0, 0), await flow.Sweep.RunAsync(CancellationToken.None));
        flow.Clock.Advance(LeaseRevoker.FirstBackoff * 2);
        Assert.Equal((1, 0, 0), await flow.Sweep.RunAsync(CancellationToken.None));
        var revoked = await flow.Store.GetLeaseAsync(grant.Lease.Id, CancellationToken.None);
        Assert.Equal(LeaseState.Revoked, revoked!.State);
        Assert.Null(revoked.LastError);
        Assert.NotNull(revoked.VerifiedAt);
        Assert.False(flow.Provider.IsLive(grant.Lease.Id));
        Assert.Equal(task.Id, revoked.TaskId);
    }

    [Fact]
    public async Task Sweep_LeaseStuckMintingAfterCrash_RevokesFromPlanAfterStaleWindow()
    {
        await using var flow = new BrokerFlowHarness();
        var (_, task, grant) = await flow.GrantAsync();
        // A crash after the outside call but before the row turned active: the decision's transaction left an issued
        // request and its lease still 'minting' with the plan.
        var request = grant.Request with { Id = Ids.New("req") };
        var crashed = grant.Lease with
        {
            Id = Ids.New("lease"), RequestId = request.Id, State = LeaseState.Minting, CreatedAt = flow.Clock.GetUtcNow(),
            RevocationData = new Dictionary<string, string> { ["handle"] = "orphan" },
        };
        await flow.Store.RecordRequestAsync(request with { LeaseId = crashed.Id }, h => h, crashed, [], CancellationToken.None);
        await flow.Provider.MintAsync(new MintRequest("orphan", task.Id, "agent-a", null!, [], [], flow.Clock.GetUtcNow(), flow.Clock.GetUtcNow()), RevocationData.Of(("handle", "orphan")), CancellationToken.None);

        var early = await flow.Sweep.RunAsync(CancellationToken.None);
        flow.Clock.Advance(RevocationSweep.MintingStaleAfter + TimeSpan.FromSeconds(1));
        var late = await flow.Sweep.RunAsync(CancellationToken.None);

        Assert.Equal(0, early.Revoked);
        Assert.Equal(1, late.Revoked);
        Assert.False(flow.Provider.IsLive("orphan"));
        Assert.Equal(LeaseState.Revoked, (await flow.Store.GetLeaseAsync(crashed.Id, CancellationToken.None))!.State);
        Assert.True(flow.Provider.IsLive(grant.Lease.Id), "the healthy lease is not due and must be left alone");
    }

    [Fact]
    public async Task RetryOverdueAttempts_AttemptCutShortByACrash_RetriedOnceItsDeadlinePassesNotBefore()
    {
        await using var flow = new BrokerFlowHarness();
        var (_, _, grant) = await flow.GrantAsync();
        // What a node that died mid-attempt leaves: the lease 'revoking' with the attempt's deadline as its next attempt.
        var deadline = flow.Clock.GetUtcNow() + new RevocationLaneOptions().AttemptTimeout;
        Assert.True(await flow.Store.TransitionLeaseAsync(grant.Lease.Id, [LeaseState.Active],
            new LeaseUpdate(LeaseState.Revoking, LastError: "attempt 1 running", NextAttemptAt: deadline), CancellationToken.None));

        var beforeDeadline = await flow.Sweep.RetryOverdueAttemptsAsync(CancellationToken.None);
        var sweepBeforeDeadline = await flow.Sweep.RunAsync(CancellationToken.None);
        flow.Clock.Advance(deadline - flow.Clock.GetUtcNow());
        var atDeadline = await flow.Sweep.RetryOverdueAttemptsAsync(CancellationToken.None);

        Assert.Equal(0, beforeDeadline);
        Assert.Equal((0, 0, 0), sweepBeforeDeadline);
        Assert.Equal(1, atDeadline);
        var revoked = await flow.Store.GetLeaseAsync(grant.Lease.Id, CancellationToken.None);
        Assert.Equal(LeaseState.Revoked, revoked!.State);
        Assert.NotNull(revoked.VerifiedAt);
        Assert.False(flow.Provider.IsLive(grant.Lease.Id));
        Assert.Contains(await flow.AuditAsync(), e => e.Type == AuditEventType.RevocationVerified && e.LeaseId == grant.Lease.Id);
    }

    [Fact]
    public async Task RetryOverdueAttempts_AttemptRecordedItsFailure_LeftToItsBackoff()
    {
        await using var flow = new BrokerFlowHarness();
        var (_, _, grant) = await flow.GrantAsync();
        flow.Provider.RevocationFailuresLeft = 1;
        Assert.Equal(RevocationOutcome.Failed, await flow.Revoker.RevokeAsync(grant.Lease.Id, "test", "released", onlyIfDue: false, CancellationToken.None));

        flow.Clock.Advance(LeaseRevoker.FirstBackoff - TimeSpan.FromSeconds(1));
        var retried = await flow.Sweep.RetryOverdueAttemptsAsync(CancellationToken.None);

        Assert.Equal(0, retried);
        Assert.Equal(LeaseState.RevocationFailed, (await flow.Store.GetLeaseAsync(grant.Lease.Id, CancellationToken.None))!.State);
        Assert.True(flow.Provider.IsLive(grant.Lease.Id));
    }

    [Theory]
    [InlineData("mint", "box_refused")]
    [InlineData("preparation", "mint_failed")]
    [InlineData("schedule", "scheduling_failed")]
    public async Task Issue_StepFails_LeaseClosedAsFailedAndNothingLeftBehind(string failing, string code)
    {
        await using var flow = new BrokerFlowHarness();
        var (agent, task) = await flow.AgentWithTaskAsync();
        flow.Provider.FailMint = failing == "mint";
        flow.Provider.FailPreparation = failing == "preparation";
        flow.Scheduler.FailLeases = failing == "schedule";

        var outcome = await flow.SubmitReadAsync(agent, task);

        var failed = Assert.IsType<RequestOutcome.MintFailed>(outcome);
        Assert.Equal(code, failed.Code);
        Assert.Equal(RequestStatus.Failed, failed.Request.Status);
        var lease = Assert.Single(await flow.Store.ListLeasesAsync(new Storage.LeaseQuery(TaskId: task.Id), CancellationToken.None));
        Assert.Equal(LeaseState.MintFailed, lease.State);
        Assert.False(flow.Provider.IsLive(lease.Id), "the half-made grant was left behind");

        // Only a failing mint reaches the outside system: without a preparation or a scheduled end nothing is called.
        Assert.Equal(failing == "mint" ? 1 : 0, flow.Provider.MintCalls);
        var audit = await flow.AuditAsync();
        Assert.Contains(audit, e => e.Type == AuditEventType.LeaseMintFailed && e.LeaseId == lease.Id && e.Data.Contains(code, StringComparison.Ordinal));
        Assert.All(audit, e => Assert.DoesNotContain("s3cr3t", e.Data, StringComparison.Ordinal));
    }

    [Fact]
    public async Task CompleteTask_WhileTheCredentialIsBeingMinted_RevokesItAndHandsNothingOut()
    {
        await using var flow = new BrokerFlowHarness();
        var (agent, task) = await flow.AgentWithTaskAsync();
        var (admin, _) = await flow.Registry.RegisterAsync("test", "admin-2", PrincipalRole.Admin, null, CancellationToken.None);
        flow.Provider.MintGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var submitting = flow.SubmitReadAsync(agent, task);
        await flow.Provider.MintEntered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var (_, _, revoked, _) = await flow.Tasks.CompleteAsync(admin, task.Id, CancellationToken.None);
        flow.Provider.MintGate.SetResult();
        var outcome = await submitting;

        // The completion revoked the lease before its credential existed; the mint that finished afterwards is undone.
        Assert.Equal(1, revoked);
        var failed = Assert.IsType<RequestOutcome.MintFailed>(outcome);
        Assert.Equal("lease_revoked", failed.Code);
        Assert.Equal(RequestStatus.Failed, failed.Request.Status);
        var lease = Assert.Single(await flow.Store.ListLeasesAsync(new Storage.LeaseQuery(TaskId: task.Id), CancellationToken.None));
        Assert.Equal(LeaseState.Revoked, lease.State);
        Assert.False(flow.Provider.IsLive(lease.Id), "a credential minted for a completed task was left live");
        var audit = await flow.AuditAsync();
        Assert.Contains(audit, e => e.Type == AuditEventType.LeaseMintFailed && e.LeaseId == lease.Id && e.Data.Contains("lease_revoked", StringComparison.Ordinal));
        Assert.DoesNotContain(audit, e => e.Type == AuditEventType.LeaseMinted);
    }
}
