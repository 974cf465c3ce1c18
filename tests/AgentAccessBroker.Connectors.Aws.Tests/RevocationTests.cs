using AgentAccessBroker.Connectors.Aws.Revocation;
using AgentAccessBroker.Connectors.Aws.Tests.Fakes;
using AgentAccessBroker.Connectors.Aws.Tests.Support;
using AgentAccessBroker.Credentials;

namespace AgentAccessBroker.Connectors.Aws.Tests;

public sealed class RevocationTests : FakeAwsTests
{
    // Here the document must exist: a revocation always leaves one.
    private static List<string> ListedUserIds(string? document)
    {
        Assert.NotNull(document);
        return DenyPolicyEntries.UserIds(document);
    }

    [Fact]
    public async Task Revoke_MintedLease_PolicyListsAssumedRoleIdAndVerifyConfirms()
    {
        var provider = Bed.CreateProvider();
        var (request, result) = await Bed.MintAsync(provider, Bed.Target(Role));
        var revocation = Bed.Revocation(request, result.RevocationData);

        await provider.RevokeAsync(revocation, CancellationToken.None);

        Assert.Equal([result.RevocationData.Values["assumed_role_id"]], ListedUserIds(Bed.Fake.PolicyOf(Role.Name)));
        var verification = await provider.VerifyAsync(revocation, CancellationToken.None);
        Assert.True(verification.Revoked, verification.Evidence);
        Assert.Contains(result.RevocationData.Values["assumed_role_id"], verification.Evidence, StringComparison.Ordinal);
        Assert.Contains("GetRolePolicy", verification.Evidence, StringComparison.Ordinal);
        Assert.False(await Bed.CanAsync(result.Credential));
    }

    [Fact]
    public async Task Revoke_Second_ChangesNothing()
    {
        var provider = Bed.CreateProvider();
        var (request, result) = await Bed.MintAsync(provider, Bed.Target(Role));
        var revocation = Bed.Revocation(request, result.RevocationData);
        await provider.RevokeAsync(revocation, CancellationToken.None);
        var after = Bed.Fake.PolicyOf(Role.Name);
        var puts = Bed.Fake.Count("PutRolePolicy");

        await Bed.CreateProvider().RevokeAsync(revocation, CancellationToken.None);

        Assert.Equal(puts, Bed.Fake.Count("PutRolePolicy"));
        Assert.Equal(after, Bed.Fake.PolicyOf(Role.Name));
        Assert.Contains(Bed.Logs.Entries, e => e.EventId == 4004);
    }

    [Fact]
    public async Task Revoke_PlanOnly_DeniesBySessionNamePattern()
    {
        var provider = Bed.CreateProvider();
        var request = Bed.Request(Bed.Target(Role));
        var plan = provider.Plan(request);
        var result = await provider.MintAsync(request, plan, CancellationToken.None);

        await provider.RevokeAsync(Bed.Revocation(request, plan), CancellationToken.None);

        Assert.Equal(["*:aab-" + request.LeaseId], ListedUserIds(Bed.Fake.PolicyOf(Role.Name)));
        Assert.False(await Bed.CanAsync(result.Credential));
    }

    [Fact]
    public async Task Revoke_OneLease_OtherLeasesOnTheRoleKeepWorking()
    {
        var provider = Bed.CreateProvider();
        var (request, revoked) = await Bed.MintAsync(provider, Bed.Target(Role));
        var (_, other) = await Bed.MintAsync(provider, Bed.Target(Role));

        await provider.RevokeAsync(Bed.Revocation(request, revoked.RevocationData), CancellationToken.None);

        Assert.False(await Bed.CanAsync(revoked.Credential));
        Assert.True(await Bed.CanAsync(other.Credential));
    }

    [Fact]
    public async Task Revoke_100ConcurrentAcross10RolesOnTwoNodes_EveryEntryKept()
    {
        var roles = Enumerable.Range(0, 10).Select(i => Bed.Fake.AddRole($"role-{i}")).ToList();
        var clusterLock = new InMemoryResourceLock();
        var nodes = new[] { Bed.CreateProvider(clusterLock: clusterLock), Bed.CreateProvider(clusterLock: clusterLock) };
        var minted = new List<(FakeRole Role, MintRequest Request, MintResult Result)>();
        foreach (var role in roles)
        {
            for (var i = 0; i < 10; i++)
            {
                var (request, result) = await Bed.MintAsync(nodes[0], Bed.Target(role));
                minted.Add((role, request, result));
            }
        }

        await Task.WhenAll(minted.Select((m, i) => Task.Run(() => nodes[i % 2].RevokeAsync(Bed.Revocation(m.Request, m.Result.RevocationData), CancellationToken.None))));

        foreach (var role in roles)
        {
            var expected = minted.Where(m => m.Role == role).Select(m => m.Result.RevocationData.Values["assumed_role_id"]).Order(StringComparer.Ordinal);
            Assert.Equal(expected, ListedUserIds(Bed.Fake.PolicyOf(role.Name)).Order(StringComparer.Ordinal));
            Assert.Equal(10, clusterLock.AcquiredCount(RoleGate.LockKey(role.Arn)));
        }

        foreach (var m in minted)
        {
            Assert.False(await Bed.CanAsync(m.Result.Credential));
        }
    }

    [Fact]
    public async Task Revoke_AfterEarlierEntriesExpired_PrunesThem()
    {
        var provider = Bed.CreateProvider();
        var (firstRequest, first) = await Bed.MintAsync(provider, Bed.Target(Role));
        await provider.RevokeAsync(Bed.Revocation(firstRequest, first.RevocationData), CancellationToken.None);
        Bed.Clock.Advance(TimeSpan.FromHours(2));
        var (secondRequest, second) = await Bed.MintAsync(provider, Bed.Target(Role));

        await provider.RevokeAsync(Bed.Revocation(secondRequest, second.RevocationData), CancellationToken.None);

        Assert.Equal([second.RevocationData.Values["assumed_role_id"]], ListedUserIds(Bed.Fake.PolicyOf(Role.Name)));
        Assert.Contains(Bed.Logs.Entries, e => e.EventId == 4003 && e.Text.Contains("PrunedCount=1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Revoke_ExpiredCredential_CallsNoIamAndLeavesPruningToTheNextWrite()
    {
        var provider = Bed.CreateProvider();
        var (request, result) = await Bed.MintAsync(provider, Bed.Target(Role));
        await provider.RevokeAsync(Bed.Revocation(request, result.RevocationData), CancellationToken.None);
        var before = Bed.Fake.PolicyOf(Role.Name);
        var calls = Bed.Fake.Count("GetRolePolicy") + Bed.Fake.Count("PutRolePolicy") + Bed.Fake.Count("DeleteRolePolicy");
        Bed.Clock.Advance(TimeSpan.FromHours(2));

        var revocation = Bed.Revocation(request, result.RevocationData);
        await provider.RevokeAsync(revocation, CancellationToken.None);

        Assert.Equal(before, Bed.Fake.PolicyOf(Role.Name));
        Assert.Equal(calls, Bed.Fake.Count("GetRolePolicy") + Bed.Fake.Count("PutRolePolicy") + Bed.Fake.Count("DeleteRolePolicy"));
        var verification = await provider.VerifyAsync(revocation, CancellationToken.None);
        Assert.True(verification.Revoked);
        Assert.Contains("expired", verification.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Revoke_ListOverflowsBudget_FallsBackToRoleWideDenyAndTellsTheObserver()
    {
        var observer = new RecordingObserver();
        var provider = Bed.CreateProvider(observers: [observer]);
        var target = Bed.Target(Role, ("deny_policy_max_chars", "1024"));
        var live = await Bed.MintAsync(provider, target);
        var revoked = new List<(MintRequest Request, MintResult Result)>();
        while (observer.Fallbacks.Count == 0)
        {
            var minted = await Bed.MintAsync(provider, target);
            await provider.RevokeAsync(Bed.Revocation(minted.Request, minted.Result.RevocationData), CancellationToken.None);
            revoked.Add(minted);
            Assert.True(revoked.Count < 40, "the 1,024-character budget should overflow well before 40 sessions");
        }

        var document = Bed.Fake.PolicyOf(Role.Name)!;
        Assert.True(RevokedSessionsPolicy.IamSize(document) <= 1024);
        Assert.Contains("\"DateLessThan\":{\"aws:TokenIssueTime\":\"2026-11-21T09:00:01Z\"}", document, StringComparison.Ordinal);
        Assert.Empty(ListedUserIds(document));
        var fallback = Assert.Single(observer.Fallbacks);
        Assert.Equal("aws", fallback.Provider);
        Assert.Equal(revoked[^1].Request.LeaseId, fallback.LeaseId);
        Assert.Equal(target.Name, fallback.Target);
        Assert.Contains("budget", fallback.Reason, StringComparison.Ordinal);
        Assert.Contains("other leases' live sessions", fallback.Effect, StringComparison.Ordinal);
        Assert.Contains(Bed.Logs.Entries, e => e.EventId == 4006 && e.Level == Microsoft.Extensions.Logging.LogLevel.Error);
        foreach (var (request, result) in revoked)
        {
            Assert.False(await Bed.CanAsync(result.Credential));
            var verification = await provider.VerifyAsync(Bed.Revocation(request, result.RevocationData), CancellationToken.None);
            Assert.True(verification.Revoked, verification.Evidence);
        }

        // The documented cost of the fallback: a live, unrevoked session issued earlier is denied too ...
        Assert.False(await Bed.CanAsync(live.Result.Credential));

        // ... while sessions minted afterwards work, and are listed individually again when revoked.
        Bed.Clock.Advance(TimeSpan.FromSeconds(2));
        var (laterRequest, later) = await Bed.MintAsync(provider, target);
        Assert.True(await Bed.CanAsync(later.Credential));
        await provider.RevokeAsync(Bed.Revocation(laterRequest, later.RevocationData), CancellationToken.None);
        Assert.Equal([later.RevocationData.Values["assumed_role_id"]], ListedUserIds(Bed.Fake.PolicyOf(Role.Name)));
        Assert.Single(observer.Fallbacks);
    }

    [Fact]
    public async Task Revoke_OtherInlinePoliciesFillTheRoleLimit_FallsBackOnLimitExceeded()
    {
        var filler = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":[""" +
            string.Join(',', Enumerable.Range(0, 250).Select(i => $"\"arn:aws:s3:::bucket-{i:D4}/data/*\"")) + "]}]}";
        Assert.InRange(RevokedSessionsPolicy.IamSize(filler), 7000, 10000);
        Bed.Fake.SeedPolicy(Role.Name, "team-data-access", filler);
        var observer = new RecordingObserver();
        var provider = Bed.CreateProvider(observers: [observer]);
        var revoked = new List<MintResult>();
        while (observer.Fallbacks.Count == 0)
        {
            var (request, result) = await Bed.MintAsync(provider, Bed.Target(Role));
            await provider.RevokeAsync(Bed.Revocation(request, result.RevocationData), CancellationToken.None);
            revoked.Add(result);
            Assert.True(revoked.Count < 100, "IAM's 10,240-character aggregate limit should be reached well before 100 sessions");
        }

        Assert.Contains("LimitExceeded", Assert.Single(observer.Fallbacks).Reason, StringComparison.Ordinal);
        Assert.Equal(filler, Bed.Fake.PolicyOf(Role.Name, "team-data-access"));
        foreach (var result in revoked)
        {
            Assert.False(await Bed.CanAsync(result.Credential));
        }
    }

    [Fact]
    public async Task Revoke_ObserverThrows_RevocationStillSucceedsAndFailureIsLogged()
    {
        var provider = Bed.CreateProvider(observers: [new RecordingObserver(fail: true)]);
        var target = Bed.Target(Role, ("deny_policy_max_chars", "1024"));
        for (var i = 0; i < 40 && !Bed.Logs.Entries.Any(e => e.EventId == 4006); i++)
        {
            var (request, result) = await Bed.MintAsync(provider, target);
            await provider.RevokeAsync(Bed.Revocation(request, result.RevocationData), CancellationToken.None);
        }

        Assert.Contains(Bed.Logs.Entries, e => e.EventId == 4009 && e.Text.Contains("audit store unavailable", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Revoke_ExistingForeignStatementsInOurPolicy_AreKept()
    {
        const string foreign = """{"Sid":"SecurityTeamHold","Effect":"Deny","Action":"s3:DeleteObject","Resource":"*"}""";
        Bed.Fake.SeedPolicy(Role.Name, RevokedSessionsPolicy.PolicyName, """{"Version":"2012-10-17","Statement":[""" + foreign + "]}");
        var provider = Bed.CreateProvider();
        var (request, result) = await Bed.MintAsync(provider, Bed.Target(Role));

        await provider.RevokeAsync(Bed.Revocation(request, result.RevocationData), CancellationToken.None);

        Assert.Contains(foreign, Bed.Fake.PolicyOf(Role.Name), StringComparison.Ordinal);
        Assert.False(await Bed.CanAsync(result.Credential));
    }

    [Fact]
    public async Task Verify_PolicyRemovedAfterRevoke_ReportsNotRevoked()
    {
        var provider = Bed.CreateProvider();
        var (request, result) = await Bed.MintAsync(provider, Bed.Target(Role));
        var revocation = Bed.Revocation(request, result.RevocationData);
        await provider.RevokeAsync(revocation, CancellationToken.None);

        Bed.Fake.RemovePolicy(Role.Name, RevokedSessionsPolicy.PolicyName);

        var verification = await provider.VerifyAsync(revocation, CancellationToken.None);
        Assert.False(verification.Revoked);
        Assert.Contains("has no inline policy", verification.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Revoke_RoleNoLongerExists_ThrowsSafeAwsCallException()
    {
        var ghost = Bed.Fake.AddRole("ghost");
        var provider = Bed.CreateProvider();
        var (request, result) = await Bed.MintAsync(provider, Bed.Target(ghost));
        var revocation = Bed.Revocation(request, result.RevocationData.With("role_name", "deleted-role"));

        var error = await Assert.ThrowsAsync<AwsCallException>(() => provider.RevokeAsync(revocation, CancellationToken.None));

        Assert.Contains("NoSuchEntity (HTTP 404)", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, Bed.Fake.Count("PutRolePolicy"));
    }
}
