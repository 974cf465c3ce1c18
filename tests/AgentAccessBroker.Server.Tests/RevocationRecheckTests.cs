using AgentAccessBroker.Audit;
using AgentAccessBroker.Brokering;
using AgentAccessBroker.Credentials;
using AgentAccessBroker.Domain;
using AgentAccessBroker.Policy;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentAccessBroker.Server.Tests;

/// <summary>
/// Revoked leases whose credential outlives the revocation are re-verified from the lease rows until it expires; when the
/// access is found back the lease is revoked again, loudly; providers whose revocation destroys the credential are
/// never re-verified.
/// </summary>
public sealed class RevocationRecheckTests
{
    private const string PolicyYaml = """
        version: 1
        agents: [{ id: agent-a, owner: alice }]
        approver_groups: [{ name: ops, members: [{ id: bob }] }]
        targets:
          - name: denied-db
            connector: outliving
            approvers: ops
            resources: [{ name: "denied.*", sensitivity: low, environment: dev }]
        """;

    private static readonly RevocationRecheckOptions Options = new() { Interval = TimeSpan.FromMinutes(5) };

    [Fact]
    public async Task Revoke_ProviderSaysTheCredentialOutlivesRevocation_UsableUntilRecordedElseNot()
    {
        await using var flow = new BrokerFlowHarness();
        var (_, task) = await flow.AgentWithTaskAsync();
        var provider = new OutlivingProvider();
        var (revoker, _) = Start(flow, provider);
        var outliving = await SeedLeaseAsync(flow, task);
        provider.CredentialEnds = null;
        var destroyed = await SeedLeaseAsync(flow, task);

        provider.CredentialEnds = flow.Clock.GetUtcNow().AddHours(1);
        await revoker.RevokeAsync(outliving, "test", "task ended", onlyIfDue: false, CancellationToken.None);
        provider.CredentialEnds = null;
        await revoker.RevokeAsync(destroyed, "test", "task ended", onlyIfDue: false, CancellationToken.None);

        Assert.Equal(flow.Clock.GetUtcNow().AddHours(1), (await flow.Store.GetLeaseAsync(outliving, CancellationToken.None))!.UsableUntil);
        Assert.Null((await flow.Store.GetLeaseAsync(destroyed, CancellationToken.None))!.UsableUntil);
    }

    [Fact]
    public async Task Run_AccessFoundBack_RevokedAgainAuditedAndStillRechecked()
    {
        await using var flow = new BrokerFlowHarness();
        var provider = new OutlivingProvider { CredentialEnds = flow.Clock.GetUtcNow().AddHours(1) };
        var (recheck, lease) = await StartWithRevokedLeaseAsync(flow, provider);

        // Someone or something undid the revocation (a late write, an assignment created again).
        provider.AccessBack = true;
        Assert.Equal(new RecheckSummary(0, 0, 0), await recheck.RunAsync(CancellationToken.None));
        flow.Clock.Advance(Options.Interval + TimeSpan.FromSeconds(1));
        var summary = await recheck.RunAsync(CancellationToken.None);

        Assert.Equal(new RecheckSummary(0, 1, 0), summary);
        Assert.Equal(2, provider.Revocations);
        var repaired = (await flow.Store.GetLeaseAsync(lease, CancellationToken.None))!;
        Assert.Equal(LeaseState.Revoked, repaired.State);
        Assert.StartsWith($"re-verification at {flow.Clock.GetUtcNow():O} found the access back (grant g-1 is back)", repaired.LastError, StringComparison.Ordinal);
        var audit = await flow.AuditAsync();
        var returned = Assert.Single(audit, e => e.Type == AuditEventType.RevocationAccessReturned);
        Assert.Equal(RevocationRecheck.Actor, returned.Actor);
        Assert.Contains("grant g-1 is back", returned.Data, StringComparison.Ordinal);
        Assert.Equal(2, audit.Count(e => e.Type == AuditEventType.RevocationDone && e.LeaseId == lease));
        var ocsf = AgentAccessBroker.Server.Audit.OcsfEvent.Of(AgentAccessBroker.Server.Audit.AuditRecord.Of(returned), "1.0");
        Assert.Equal(4, (int)ocsf["severity_id"]!);
        Assert.Equal("Revoke Privileges", (string)ocsf["activity_name"]!);

        // Still watched afterwards, and still revoked.
        flow.Clock.Advance(Options.Interval + TimeSpan.FromSeconds(1));
        Assert.Equal(new RecheckSummary(1, 0, 0), await recheck.RunAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Run_AccessBackAndRevokingAgainFails_LeaseLiveAndFailedWithTheReason()
    {
        await using var flow = new BrokerFlowHarness();
        var provider = new OutlivingProvider { CredentialEnds = flow.Clock.GetUtcNow().AddHours(1) };
        var (recheck, lease) = await StartWithRevokedLeaseAsync(flow, provider);
        provider.AccessBack = true;
        provider.RevokeFails = true;
        flow.Clock.Advance(Options.Interval + TimeSpan.FromSeconds(1));

        Assert.Equal(new RecheckSummary(0, 1, 0), await recheck.RunAsync(CancellationToken.None));

        var failed = (await flow.Store.GetLeaseAsync(lease, CancellationToken.None))!;
        Assert.Equal(LeaseState.RevocationFailed, failed.State);
        Assert.True(failed.IsLive);
        Assert.Equal("target refused the revocation", failed.LastError);
        Assert.NotNull(failed.NextAttemptAt);
        Assert.Single(await flow.AuditAsync(), e => e.Type == AuditEventType.RevocationAccessReturned);
    }

    [Fact]
    public async Task Run_CredentialExpired_NotVerifiedAnyMore()
    {
        await using var flow = new BrokerFlowHarness();
        var provider = new OutlivingProvider { CredentialEnds = flow.Clock.GetUtcNow().AddMinutes(7) };
        var (recheck, lease) = await StartWithRevokedLeaseAsync(flow, provider);

        flow.Clock.Advance(Options.Interval + TimeSpan.FromSeconds(1));
        Assert.Equal(new RecheckSummary(1, 0, 0), await recheck.RunAsync(CancellationToken.None));
        flow.Clock.Advance(Options.Interval + TimeSpan.FromSeconds(1));
        provider.AccessBack = true;

        Assert.Equal(new RecheckSummary(0, 0, 0), await recheck.RunAsync(CancellationToken.None));
        Assert.Equal(1, provider.Revocations);
        Assert.Equal(2, provider.Verifications);
    }

    [Fact]
    public async Task Issue_MintFailsAfterReachingOutside_RolledBackLeaseReverifiedUntilItsCredentialCouldExpire()
    {
        await using var flow = new BrokerFlowHarness();
        var (agent, task) = await flow.AgentWithTaskAsync();
        var couldLiveUntil = flow.Clock.GetUtcNow().AddHours(1);
        flow.Provider.OutlivesRevocationUntil = couldLiveUntil;
        // As a timed-out AWS AssumeRole: the outside system may have issued a credential nobody received.
        flow.Provider.MintRefusal = new CredentialMintException("box_unavailable", "The box timed out; it may have issued the grant.", nothingCreated: false);

        Assert.IsType<RequestOutcome.MintFailed>(await flow.SubmitReadAsync(agent, task));

        var rolledBack = Assert.Single(await flow.Store.ListLeasesAsync(new Storage.LeaseQuery(TaskId: task.Id), CancellationToken.None));
        Assert.Equal(LeaseState.MintFailed, rolledBack.State);
        Assert.Equal(couldLiveUntil, rolledBack.UsableUntil);
        Assert.Equal(flow.Clock.GetUtcNow(), rolledBack.VerifiedAt);
        Assert.Equal(1, flow.Provider.RevokeCalls);

        // Due once the interval has passed since the undo verified it; still denied, it stays a failed mint.
        Assert.Equal(new RecheckSummary(0, 0, 0), await flow.Recheck.RunAsync(CancellationToken.None));
        flow.Clock.Advance(Options.Interval + TimeSpan.FromSeconds(1));
        Assert.Equal(new RecheckSummary(1, 0, 0), await flow.Recheck.RunAsync(CancellationToken.None));
        Assert.Equal(LeaseState.MintFailed, (await flow.Store.GetLeaseAsync(rolledBack.Id, CancellationToken.None))!.State);

        // The undo is undone (the deny entry dropped by a late write): revoked again, audited, and watched on.
        flow.Provider.Adopt(rolledBack.Id);
        flow.Clock.Advance(Options.Interval + TimeSpan.FromSeconds(1));
        Assert.Equal(new RecheckSummary(0, 1, 0), await flow.Recheck.RunAsync(CancellationToken.None));

        Assert.False(flow.Provider.IsLive(rolledBack.Id));
        Assert.Equal(2, flow.Provider.RevokeCalls);
        var repaired = (await flow.Store.GetLeaseAsync(rolledBack.Id, CancellationToken.None))!;
        Assert.Equal(LeaseState.Revoked, repaired.State);
        Assert.Equal(couldLiveUntil, repaired.UsableUntil);
        Assert.Contains("found the access back", repaired.LastError, StringComparison.Ordinal);
        var returned = Assert.Single(await flow.AuditAsync(), e => e.Type == AuditEventType.RevocationAccessReturned);
        Assert.Equal(rolledBack.Id, returned.LeaseId);
        flow.Clock.Advance(Options.Interval + TimeSpan.FromSeconds(1));
        Assert.Equal(new RecheckSummary(1, 0, 0), await flow.Recheck.RunAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Issue_MintRefusedBeforeReachingOutside_NeverReverifiedAndNothingRevoked()
    {
        await using var flow = new BrokerFlowHarness();
        var (agent, task) = await flow.AgentWithTaskAsync();
        flow.Provider.OutlivesRevocationUntil = flow.Clock.GetUtcNow().AddHours(1);
        flow.Provider.MintRefusal = new CredentialRequestException("session_policy_too_large", "The session policy would be 9,000 characters.") { NothingCreated = true };

        Assert.IsType<RequestOutcome.MintFailed>(await flow.SubmitReadAsync(agent, task));
        var refused = Assert.Single(await flow.Store.ListLeasesAsync(new Storage.LeaseQuery(TaskId: task.Id), CancellationToken.None));
        // Were it verified, a refused mint would look "not revoked" (nothing denied it) and be revoked: no such verification.
        flow.Provider.Adopt(refused.Id);
        flow.Clock.Advance(Options.Interval + TimeSpan.FromSeconds(1));

        Assert.Equal(new RecheckSummary(0, 0, 0), await flow.Recheck.RunAsync(CancellationToken.None));
        Assert.Null((await flow.Store.GetLeaseAsync(refused.Id, CancellationToken.None))!.UsableUntil);
        Assert.Equal(0, flow.Provider.VerifyCalls);
        Assert.Equal(0, flow.Provider.RevokeCalls);
    }

    [Fact]
    public async Task Run_BoundWiderThanTheProvidersAnswer_NarrowedToItAtTheFirstLook()
    {
        await using var flow = new BrokerFlowHarness();
        var (_, task) = await flow.AgentWithTaskAsync();
        var expires = flow.Clock.GetUtcNow().AddHours(1);
        var provider = new OutlivingProvider { CredentialEnds = expires };
        var (revoker, recheck) = Start(flow, provider);
        var narrowed = await SeedLeaseAsync(flow, task);
        var unknown = await SeedLeaseAsync(flow, task);
        await revoker.RevokeAsync(narrowed, "test", "task ended", onlyIfDue: false, CancellationToken.None);
        await revoker.RevokeAsync(unknown, "test", "task ended", onlyIfDue: false, CancellationToken.None);
        // Migration 7's bound for leases revoked before rows recorded one.
        var backfilled = flow.Clock.GetUtcNow() + Storage.SchemaMigrations.LongestOutlivingCredential;
        await SetUsableUntilAsync(flow, narrowed, backfilled);
        await SetUsableUntilAsync(flow, unknown, backfilled);
        flow.Clock.Advance(Options.Interval + TimeSpan.FromSeconds(1));

        // The provider knows the first one's expiry from its revocation data; for the second it has no answer (data
        // older than its record of the expiry), and the bound stays.
        provider.AnswerFor = id => id == narrowed ? expires : null;
        Assert.Equal(new RecheckSummary(2, 0, 0), await recheck.RunAsync(CancellationToken.None));

        Assert.Equal(expires, (await flow.Store.GetLeaseAsync(narrowed, CancellationToken.None))!.UsableUntil);
        Assert.Equal(backfilled, (await flow.Store.GetLeaseAsync(unknown, CancellationToken.None))!.UsableUntil);
    }

    [Fact]
    public async Task Run_BoundOnALeaseWhoseRevocationDestroysTheCredential_StopsWithoutVerifying()
    {
        await using var flow = new BrokerFlowHarness();
        var provider = new DestroyingProvider();
        var (recheck, lease) = await StartWithRevokedLeaseAsync(flow, provider);
        Assert.Null((await flow.Store.GetLeaseAsync(lease, CancellationToken.None))!.UsableUntil);
        await SetUsableUntilAsync(flow, lease, flow.Clock.GetUtcNow() + Storage.SchemaMigrations.LongestOutlivingCredential);
        flow.Clock.Advance(Options.Interval + TimeSpan.FromSeconds(1));
        var stoppedAt = flow.Clock.GetUtcNow();

        Assert.Equal(new RecheckSummary(0, 0, 0), await recheck.RunAsync(CancellationToken.None));
        flow.Clock.Advance(Options.Interval + TimeSpan.FromSeconds(1));
        Assert.Equal(new RecheckSummary(0, 0, 0), await recheck.RunAsync(CancellationToken.None));

        Assert.Equal(1, provider.Verifications);
        var stopped = (await flow.Store.GetLeaseAsync(lease, CancellationToken.None))!;
        Assert.Equal(LeaseState.Revoked, stopped.State);
        Assert.Equal(stoppedAt, stopped.UsableUntil);
        Assert.Empty(await flow.Store.ListRechecksDueAsync(flow.Clock.GetUtcNow(), flow.Clock.GetUtcNow(), 10, CancellationToken.None));
    }

    /// <summary>An agent with a task, a revoker and a re-verification over <paramref name="provider"/>, and one lease revoked (and verified) by it.</summary>
    private static async Task<(RevocationRecheck Recheck, string Lease)> StartWithRevokedLeaseAsync(BrokerFlowHarness flow, ICredentialProvider provider)
    {
        var (_, task) = await flow.AgentWithTaskAsync();
        var (revoker, recheck) = Start(flow, provider);
        var lease = await SeedLeaseAsync(flow, task);
        Assert.Equal(RevocationOutcome.Revoked, await revoker.RevokeAsync(lease, "test", "task ended", onlyIfDue: false, CancellationToken.None));
        return (recheck, lease);
    }

    private static Task SetUsableUntilAsync(BrokerFlowHarness flow, string leaseId, DateTimeOffset until) =>
        flow.Store.TransitionLeaseAsync(leaseId, [LeaseState.Revoked], new Storage.LeaseUpdate(LeaseState.Revoked, UsableUntil: until), CancellationToken.None);

    private static (LeaseRevoker Revoker, RevocationRecheck Recheck) Start(BrokerFlowHarness flow, ICredentialProvider provider)
    {
        var registry = new CredentialProviderRegistry([provider]);
        var policy = new FixedPolicy();
        var revoker = new LeaseRevoker(flow.Store, flow.Store, policy, registry, flow.Scheduler, flow.Clock, NullLogger<LeaseRevoker>.Instance);
        return (revoker, new RevocationRecheck(flow.Store, flow.Store, policy, registry, revoker, flow.Clock, NullLogger<RevocationRecheck>.Instance, Options));
    }

    private static async Task<string> SeedLeaseAsync(BrokerFlowHarness flow, BrokerTask task)
    {
        var now = flow.Clock.GetUtcNow();
        var request = new AccessRequest(Ids.New("req"), task.AgentId, task.Id, "denied-db", ["denied.one"], ["read"], "seeded for the recheck test", TimeSpan.FromMinutes(15),
            now, RequestStatus.Issued, null, null, now, null);
        var lease = new Lease(Ids.New("lease"), request.Id, task.Id, task.AgentId, "denied-db", "outliving", request.Resources, request.Actions, now, now.AddMinutes(15),
            LeaseState.Active, new Dictionary<string, string> { ["grant"] = "g-1" }, 0, null, null, null, null);
        await flow.Store.RecordRequestAsync(request with { LeaseId = lease.Id }, h => h, lease, [AuditEntries.Lease(AuditEventType.LeaseMinted, "test", lease, "seeded")], CancellationToken.None);
        return lease.Id;
    }

    private sealed class FixedPolicy : IPolicySource
    {
        public BrokerPolicy Current { get; } = PolicyLoader.Load(PolicyYaml, "recheck.yaml", _ => []).Policy ?? throw new InvalidOperationException("test policy invalid");
    }

    /// <summary>A credential that stays valid after revocation (only denied) until <see cref="CredentialEnds"/>.</summary>
    private sealed class OutlivingProvider : ICredentialProvider, IRevokedCredentialLifetime
    {
        public DateTimeOffset? CredentialEnds { get; set; }

        public bool AccessBack { get; set; }

        public bool RevokeFails { get; set; }

        public int Revocations { get; private set; }

        public int Verifications { get; private set; }

        public string Name => "outliving";

        public IReadOnlyList<TargetSettingProblem> ValidateTarget(TargetSettings target) => [];

        public RevocationData Plan(MintRequest request) => RevocationData.Of(("grant", "g-1"));

        public Task<MintResult> MintAsync(MintRequest request, RevocationData plan, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task RevokeAsync(RevocationRequest request, CancellationToken cancellationToken)
        {
            if (RevokeFails)
            {
                throw new InvalidOperationException("target refused the revocation");
            }

            Revocations++;
            AccessBack = false;
            return Task.CompletedTask;
        }

        public Task<VerificationResult> VerifyAsync(RevocationRequest request, CancellationToken cancellationToken)
        {
            Verifications++;
            return Task.FromResult(AccessBack
                ? new VerificationResult(false, $"grant {request.Data.Require("grant")} is back")
                : new VerificationResult(true, $"grant {request.Data.Require("grant")} is denied"));
        }

        /// <summary>When set, the answer for each lease instead of <see cref="CredentialEnds"/>.</summary>
        public Func<string, DateTimeOffset?>? AnswerFor { get; set; }

        public DateTimeOffset? UsableUntil(RevocationRequest request) => AnswerFor is { } answer ? answer(request.LeaseId) : CredentialEnds;
    }

    /// <summary>A credential that revocation destroys (a dropped login role): nothing to watch afterwards.</summary>
    private sealed class DestroyingProvider : ICredentialProvider
    {
        public int Verifications { get; private set; }

        public string Name => "outliving";

        public IReadOnlyList<TargetSettingProblem> ValidateTarget(TargetSettings target) => [];

        public RevocationData Plan(MintRequest request) => RevocationData.Of(("grant", "g-1"));

        public Task<MintResult> MintAsync(MintRequest request, RevocationData plan, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task RevokeAsync(RevocationRequest request, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<VerificationResult> VerifyAsync(RevocationRequest request, CancellationToken cancellationToken)
        {
            Verifications++;
            return Task.FromResult(new VerificationResult(true, "role gone"));
        }
    }
}
