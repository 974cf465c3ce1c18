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
        var (_, task) = await flow.AgentWithTaskAsync();
        var provider = new OutlivingProvider { CredentialEnds = flow.Clock.GetUtcNow().AddHours(1) };
        var (revoker, recheck) = Start(flow, provider);
        var lease = await SeedLeaseAsync(flow, task);
        await revoker.RevokeAsync(lease, "test", "task ended", onlyIfDue: false, CancellationToken.None);

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
        var (_, task) = await flow.AgentWithTaskAsync();
        var provider = new OutlivingProvider { CredentialEnds = flow.Clock.GetUtcNow().AddHours(1) };
        var (revoker, recheck) = Start(flow, provider);
        var lease = await SeedLeaseAsync(flow, task);
        await revoker.RevokeAsync(lease, "test", "task ended", onlyIfDue: false, CancellationToken.None);
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
        var (_, task) = await flow.AgentWithTaskAsync();
        var provider = new OutlivingProvider { CredentialEnds = flow.Clock.GetUtcNow().AddMinutes(7) };
        var (revoker, recheck) = Start(flow, provider);
        var lease = await SeedLeaseAsync(flow, task);
        await revoker.RevokeAsync(lease, "test", "task ended", onlyIfDue: false, CancellationToken.None);

        flow.Clock.Advance(Options.Interval + TimeSpan.FromSeconds(1));
        Assert.Equal(new RecheckSummary(1, 0, 0), await recheck.RunAsync(CancellationToken.None));
        flow.Clock.Advance(Options.Interval + TimeSpan.FromSeconds(1));
        provider.AccessBack = true;

        Assert.Equal(new RecheckSummary(0, 0, 0), await recheck.RunAsync(CancellationToken.None));
        Assert.Equal(1, provider.Revocations);
        Assert.Equal(2, provider.Verifications);
    }

    private static (LeaseRevoker Revoker, RevocationRecheck Recheck) Start(BrokerFlowHarness flow, OutlivingProvider provider)
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

        public DateTimeOffset? UsableUntil(RevocationRequest request) => CredentialEnds;
    }
}
