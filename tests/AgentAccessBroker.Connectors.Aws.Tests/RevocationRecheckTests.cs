using AgentAccessBroker.Audit;
using AgentAccessBroker.Brokering;
using AgentAccessBroker.Credentials;
using AgentAccessBroker.Connectors.Aws.Revocation;
using AgentAccessBroker.Connectors.Aws.Tests.Fakes;
using AgentAccessBroker.Connectors.Aws.Tests.Support;
using AgentAccessBroker.Testing.Broker;
using AgentAccessBroker.Domain;

namespace AgentAccessBroker.Connectors.Aws.Tests;

/// <summary>
/// Revoked STS sessions stay valid until they expire, only denied; the broker re-verifies them from the lease rows until
/// then, on any node, and revokes again when a late write took the deny entry away, even after the process that saw the
/// write go unanswered crashed and its memory of it was lost.
/// </summary>
public sealed class RevocationRecheckTests : FakeAwsTests
{
    private static readonly RevocationRecheckOptions Recheck = new() { Interval = TimeSpan.FromMinutes(5) };

    private Task<RevocationSlice> StartSliceAsync(TargetSettings target) =>
        RevocationSlice.StartAsync(target, "arn:aws:s3:::reports/*", Bed.Clock, Bed.Loggers);

    /// <summary>A lease minted for real, seeded, and revoked by <paramref name="node"/>: the state re-verification starts from.</summary>
    private async Task<(MintRequest Request, string Lease)> RevokedLeaseAsync(RevocationSlice slice, RevocationSlice.Node node, TargetSettings target, TimeSpan duration)
    {
        var (request, result) = await Bed.MintAsync(Bed.CreateProvider(), target, duration);
        var lease = await slice.SeedAsync(StsCredentialProvider.ProviderName, request, result);
        Assert.Equal(RevocationOutcome.Revoked, await node.Revoker.RevokeAsync(lease, "test", "task ended", onlyIfDue: false, CancellationToken.None));
        return (request, lease);
    }

    [Fact]
    public async Task Recheck_LateWriteLandsAfterTheRevokingProcessCrashed_NewProcessRevokesAgainAndAuditsIt()
    {
        var target = Bed.Target(Role);
        await using var slice = await StartSliceAsync(target);
        // The first process would repair the late write only an hour after it (its in-memory window); it crashes long before.
        var crashed = slice.StartNode(Bed.CreateProvider(o =>
        {
            o.AttemptTimeout = TimeSpan.FromSeconds(2);
            o.LateWriteWindow = TimeSpan.FromHours(1);
        }));
        var minter = Bed.CreateProvider();
        var (firstRequest, first) = await Bed.MintAsync(minter, target, TimeSpan.FromHours(1));
        var (secondRequest, second) = await Bed.MintAsync(minter, target, TimeSpan.FromHours(1));
        var firstLease = await slice.SeedAsync(StsCredentialProvider.ProviderName, firstRequest, first);
        var secondLease = await slice.SeedAsync(StsCredentialProvider.ProviderName, secondRequest, second);
        var secondId = second.RevocationData.Values["assumed_role_id"];
        Bed.Fake.Inject("PutRolePolicy", FakeFault.LandLate);

        // The first write gets no answer (IAM keeps it); the retry lists the first session; the second revocation follows.
        Assert.Equal(RevocationOutcome.Revoked, await crashed.Revoker.RevokeAsync(firstLease, "test", "task ended", onlyIfDue: false, CancellationToken.None));
        Assert.Equal(RevocationOutcome.Revoked, await crashed.Revoker.RevokeAsync(secondLease, "test", "task ended", onlyIfDue: false, CancellationToken.None));
        var revoked = (await slice.Store.GetLeaseAsync(secondLease, CancellationToken.None))!;
        Assert.True(revoked.UsableUntil >= second.ExpiresAt, $"usable until {revoked.UsableUntil:O}, credentials expire {second.ExpiresAt:O}");

        // The process is gone. Its held write reaches IAM now and replaces the document: the second session is free again.
        Bed.Fake.LandHeldWrites();
        Assert.DoesNotContain(secondId, DenyPolicyEntries.UserIds(Bed.Fake.PolicyOf(Role.Name)));
        Assert.True(await Bed.CanAsync(second.Credential));

        // A new process, nothing in memory. Not due before the interval...
        var restarted = slice.StartNode(Bed.CreateProvider(), recheck: Recheck);
        Assert.Equal(new RecheckSummary(0, 0, 0), await restarted.Recheck.RunAsync(CancellationToken.None));

        // ...due after it: the first lease is still denied, the second had its access back and is revoked again.
        Bed.Clock.Advance(Recheck.Interval + TimeSpan.FromSeconds(1));
        var summary = await restarted.Recheck.RunAsync(CancellationToken.None);

        Assert.Equal(new RecheckSummary(1, 1, 0), summary);
        Assert.Contains(secondId, DenyPolicyEntries.UserIds(Bed.Fake.PolicyOf(Role.Name)));
        Assert.False(await Bed.CanAsync(second.Credential));
        var repaired = (await slice.Store.GetLeaseAsync(secondLease, CancellationToken.None))!;
        Assert.Equal(LeaseState.Revoked, repaired.State);
        Assert.Contains("found the access back", repaired.LastError, StringComparison.Ordinal);
        Assert.Contains("revoked again and verified", repaired.LastError, StringComparison.Ordinal);
        var audit = await slice.AuditAsync();
        var returned = Assert.Single(audit, e => e.Type == AuditEventType.RevocationAccessReturned);
        Assert.Equal(secondLease, returned.LeaseId);
        Assert.Contains(audit, e => e.Type == AuditEventType.RevocationVerified && e.LeaseId == secondLease && e.Actor == "broker" && e.Sequence > returned.Sequence);
        Assert.Contains(Bed.Logs.Entries, e => e.Level == Microsoft.Extensions.Logging.LogLevel.Error && e.Text.Contains("has its access back", StringComparison.Ordinal));
        Assert.Equal(LeaseState.Revoked, (await slice.Store.GetLeaseAsync(firstLease, CancellationToken.None))!.State);
    }

    [Fact]
    public async Task Recheck_AssumeRoleIssuedButUnanswered_RolledBackMintWatchedAndDeniedAgainWhenItsDenyGoes()
    {
        var target = Bed.Target(Role);
        await using var slice = await StartSliceAsync(target);
        var node = slice.StartNode(Bed.CreateProvider(o =>
        {
            o.AttemptTimeout = TimeSpan.FromMilliseconds(300);
            o.MaxRetryAttempts = 0;
        }), recheck: Recheck);
        Bed.Fake.Inject("AssumeRole", FakeFault.IssueUnanswered);

        var outcome = await slice.IssueApprovedAsync(node, ["arn:aws:s3:::reports/2026/*"], ["s3:GetObject"], TimeSpan.FromHours(1));

        // STS issued a session nobody received; the rollback denied its name, and the lease records how long it could live.
        Assert.IsType<RequestOutcome.MintFailed>(outcome);
        var issued = Assert.Single(Bed.Fake.UnansweredSessions);
        var session = new IssuedCredential("aws", new Dictionary<string, string>
        {
            ["AWS_ACCESS_KEY_ID"] = issued.AccessKeyId,
            ["AWS_SECRET_ACCESS_KEY"] = issued.SecretAccessKey,
            ["AWS_SESSION_TOKEN"] = issued.SessionToken,
        }, new Dictionary<string, string>());
        Assert.False(await Bed.CanAsync(session));
        var lease = Assert.Single(await slice.Store.ListLeasesAsync(new Storage.LeaseQuery(TaskId: RevocationSlice.TaskId), CancellationToken.None));
        Assert.Equal(LeaseState.MintFailed, lease.State);
        Assert.True(lease.UsableUntil >= issued.Expiration, $"usable until {lease.UsableUntil:O}, session expires {issued.Expiration:O}");

        // Still denied at the next look.
        Bed.Clock.Advance(Recheck.Interval + TimeSpan.FromSeconds(1));
        Assert.Equal(new RecheckSummary(1, 0, 0), await node.Recheck.RunAsync(CancellationToken.None));

        // The deny entry goes (an older document written late, an administrator): the session works again until the
        // re-verification denies it again.
        Bed.Fake.RemovePolicy(Role.Name, RevokedSessionsPolicy.PolicyName);
        Assert.True(await Bed.CanAsync(session));
        Bed.Clock.Advance(Recheck.Interval + TimeSpan.FromSeconds(1));
        Assert.Equal(new RecheckSummary(0, 1, 0), await node.Recheck.RunAsync(CancellationToken.None));

        Assert.False(await Bed.CanAsync(session));
        var repaired = (await slice.Store.GetLeaseAsync(lease.Id, CancellationToken.None))!;
        Assert.Equal(LeaseState.Revoked, repaired.State);
        Assert.Contains("found the access back", repaired.LastError, StringComparison.Ordinal);
        Assert.Equal(lease.Id, Assert.Single(await slice.AuditAsync(), e => e.Type == AuditEventType.RevocationAccessReturned).LeaseId);
    }

    [Fact]
    public async Task Recheck_MintRefusedBeforeAnyAwsCall_NoDenyEntryAndNeverVerified()
    {
        var target = Bed.Target(Role);
        await using var slice = await StartSliceAsync(target);
        var node = slice.StartNode(Bed.CreateProvider(), recheck: Recheck);
        var tooMany = Enumerable.Range(0, 400).Select(i => $"arn:aws:s3:::reports/2026/part-{i:D4}-with-a-long-name/*").ToList();

        var outcome = await slice.IssueApprovedAsync(node, tooMany, ["s3:GetObject"], TimeSpan.FromHours(1));

        Assert.IsType<RequestOutcome.MintFailed>(outcome);
        Assert.Equal(0, Bed.Fake.Count("AssumeRole"));
        Assert.Equal(0, Bed.Fake.Count("PutRolePolicy"));
        var lease = Assert.Single(await slice.Store.ListLeasesAsync(new Storage.LeaseQuery(TaskId: RevocationSlice.TaskId), CancellationToken.None));
        Assert.Null(lease.UsableUntil);
        Bed.Clock.Advance(Recheck.Interval + TimeSpan.FromSeconds(1));
        Assert.Equal(new RecheckSummary(0, 0, 0), await node.Recheck.RunAsync(CancellationToken.None));
        Assert.Equal(0, Bed.Fake.Count("GetRolePolicy"));
    }

    [Fact]
    public async Task Recheck_KeepsGoingUntilTheCredentialsExpire_ThenStops()
    {
        var target = Bed.Target(Role);
        await using var slice = await StartSliceAsync(target);
        var node = slice.StartNode(Bed.CreateProvider(), recheck: Recheck);
        var (request, lease) = await RevokedLeaseAsync(slice, node, target, TimeSpan.FromMinutes(30));
        var until = (await slice.Store.GetLeaseAsync(lease, CancellationToken.None))!.UsableUntil!.Value;

        var verified = 0;
        while (Bed.Clock.GetUtcNow() < until + TimeSpan.FromMinutes(10))
        {
            Bed.Clock.Advance(Recheck.Interval + TimeSpan.FromSeconds(1));
            verified += (await node.Recheck.RunAsync(CancellationToken.None)).StillRevoked;
        }

        // Every interval until the credentials (plus AWS's clock skew) expire, then never again.
        var expected = (int)((until - request.Now) / (Recheck.Interval + TimeSpan.FromSeconds(1)));
        Assert.InRange(verified, expected - 1, expected);
        var gets = Bed.Fake.Count("GetRolePolicy");
        Bed.Clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(new RecheckSummary(0, 0, 0), await node.Recheck.RunAsync(CancellationToken.None));
        Assert.Equal(gets, Bed.Fake.Count("GetRolePolicy"));
    }

    [Fact]
    public async Task Recheck_IamUnreachable_LeaseStaysRevokedAndIsVerifiedOnTheNextRun()
    {
        var target = Bed.Target(Role);
        await using var slice = await StartSliceAsync(target);
        var node = slice.StartNode(Bed.CreateProvider(o => o.MaxRetryAttempts = 0), recheck: Recheck);
        var (_, lease) = await RevokedLeaseAsync(slice, node, target, TimeSpan.FromHours(1));
        Bed.Clock.Advance(Recheck.Interval + TimeSpan.FromSeconds(1));

        Bed.Fake.Down = true;
        Assert.Equal(new RecheckSummary(0, 0, 1), await node.Recheck.RunAsync(CancellationToken.None));
        Assert.Equal(LeaseState.Revoked, (await slice.Store.GetLeaseAsync(lease, CancellationToken.None))!.State);

        Bed.Fake.Down = false;
        Assert.Equal(new RecheckSummary(1, 0, 0), await node.Recheck.RunAsync(CancellationToken.None));
        Assert.DoesNotContain(await slice.AuditAsync(), e => e.Type == AuditEventType.RevocationAccessReturned);
    }
}
