using System.Text.Json;
using AgentAccessBroker.Connectors.Aws.Revocation;
using AgentAccessBroker.Connectors.Aws.Tests.Fakes;
using AgentAccessBroker.Connectors.Aws.Tests.Support;
using AgentAccessBroker.Credentials;

namespace AgentAccessBroker.Connectors.Aws.Tests;

public sealed class RevocationTests : IAsyncLifetime
{
    private AwsTestBed _bed = null!;
    private FakeRole _role = null!;

    public async Task InitializeAsync()
    {
        _bed = await AwsTestBed.StartAsync();
        _role = _bed.Fake.AddRole("reports-reader");
    }

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    private static List<string> ListedUserIds(string? document)
    {
        Assert.NotNull(document);
        using var json = JsonDocument.Parse(document);
        return json.RootElement.GetProperty("Statement").EnumerateArray()
            .Where(s => s.GetProperty("Sid").GetString()!.StartsWith(RevokedSessionsPolicy.BucketSidPrefix, StringComparison.Ordinal))
            .SelectMany(s => s.GetProperty("Condition").GetProperty("StringLike").GetProperty("aws:userid").EnumerateArray().Select(v => v.GetString()!))
            .ToList();
    }

    [Fact]
    public async Task Revoke_MintedLease_PolicyListsAssumedRoleIdAndVerifyConfirms()
    {
        var provider = _bed.CreateProvider();
        var (request, result) = await _bed.MintAsync(provider, _bed.Target(_role));
        var revocation = _bed.Revocation(request, result.RevocationData);

        await provider.RevokeAsync(revocation, CancellationToken.None);

        Assert.Equal([result.RevocationData.Values["assumed_role_id"]], ListedUserIds(_bed.Fake.PolicyOf(_role.Name)));
        var verification = await provider.VerifyAsync(revocation, CancellationToken.None);
        Assert.True(verification.Revoked, verification.Evidence);
        Assert.Contains(result.RevocationData.Values["assumed_role_id"], verification.Evidence, StringComparison.Ordinal);
        Assert.Contains("GetRolePolicy", verification.Evidence, StringComparison.Ordinal);
        Assert.False(await _bed.CanAsync(result.Credential));
    }

    [Fact]
    public async Task Revoke_Second_ChangesNothing()
    {
        var provider = _bed.CreateProvider();
        var (request, result) = await _bed.MintAsync(provider, _bed.Target(_role));
        var revocation = _bed.Revocation(request, result.RevocationData);
        await provider.RevokeAsync(revocation, CancellationToken.None);
        var after = _bed.Fake.PolicyOf(_role.Name);
        var puts = _bed.Fake.Count("PutRolePolicy");

        await _bed.CreateProvider().RevokeAsync(revocation, CancellationToken.None);

        Assert.Equal(puts, _bed.Fake.Count("PutRolePolicy"));
        Assert.Equal(after, _bed.Fake.PolicyOf(_role.Name));
        Assert.Contains(_bed.Logs.Entries, e => e.EventId == 4004);
    }

    [Fact]
    public async Task Revoke_PlanOnly_DeniesBySessionNamePattern()
    {
        var provider = _bed.CreateProvider();
        var request = _bed.Request(_bed.Target(_role));
        var plan = provider.Plan(request);
        var result = await provider.MintAsync(request, plan, CancellationToken.None);

        await provider.RevokeAsync(_bed.Revocation(request, plan), CancellationToken.None);

        Assert.Equal(["*:aab-" + request.LeaseId], ListedUserIds(_bed.Fake.PolicyOf(_role.Name)));
        Assert.False(await _bed.CanAsync(result.Credential));
    }

    [Fact]
    public async Task Revoke_OneLease_OtherLeasesOnTheRoleKeepWorking()
    {
        var provider = _bed.CreateProvider();
        var (request, revoked) = await _bed.MintAsync(provider, _bed.Target(_role));
        var (_, other) = await _bed.MintAsync(provider, _bed.Target(_role));

        await provider.RevokeAsync(_bed.Revocation(request, revoked.RevocationData), CancellationToken.None);

        Assert.False(await _bed.CanAsync(revoked.Credential));
        Assert.True(await _bed.CanAsync(other.Credential));
    }

    [Fact]
    public async Task Revoke_100ConcurrentAcross10RolesOnTwoNodes_EveryEntryKept()
    {
        var roles = Enumerable.Range(0, 10).Select(i => _bed.Fake.AddRole($"role-{i}")).ToList();
        var clusterLock = new InMemoryResourceLock();
        var nodes = new[] { _bed.CreateProvider(clusterLock: clusterLock), _bed.CreateProvider(clusterLock: clusterLock) };
        var minted = new List<(FakeRole Role, MintRequest Request, MintResult Result)>();
        foreach (var role in roles)
        {
            for (var i = 0; i < 10; i++)
            {
                var (request, result) = await _bed.MintAsync(nodes[0], _bed.Target(role));
                minted.Add((role, request, result));
            }
        }

        await Task.WhenAll(minted.Select((m, i) => Task.Run(() => nodes[i % 2].RevokeAsync(_bed.Revocation(m.Request, m.Result.RevocationData), CancellationToken.None))));

        foreach (var role in roles)
        {
            var expected = minted.Where(m => m.Role == role).Select(m => m.Result.RevocationData.Values["assumed_role_id"]).Order(StringComparer.Ordinal);
            Assert.Equal(expected, ListedUserIds(_bed.Fake.PolicyOf(role.Name)).Order(StringComparer.Ordinal));
            Assert.Equal(10, clusterLock.AcquiredCount(RoleGate.LockKey(role.Arn)));
        }

        foreach (var m in minted)
        {
            Assert.False(await _bed.CanAsync(m.Result.Credential));
        }
    }

    [Fact]
    public async Task Revoke_AfterEarlierEntriesExpired_PrunesThem()
    {
        var provider = _bed.CreateProvider();
        var (firstRequest, first) = await _bed.MintAsync(provider, _bed.Target(_role));
        await provider.RevokeAsync(_bed.Revocation(firstRequest, first.RevocationData), CancellationToken.None);
        _bed.Clock.Advance(TimeSpan.FromHours(2));
        var (secondRequest, second) = await _bed.MintAsync(provider, _bed.Target(_role));

        await provider.RevokeAsync(_bed.Revocation(secondRequest, second.RevocationData), CancellationToken.None);

        Assert.Equal([second.RevocationData.Values["assumed_role_id"]], ListedUserIds(_bed.Fake.PolicyOf(_role.Name)));
        Assert.Contains(_bed.Logs.Entries, e => e.EventId == 4003 && e.Text.Contains("PrunedCount=1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Revoke_ExpiredCredentialWhenOnlyExpiredEntriesRemain_DeletesThePolicy()
    {
        var provider = _bed.CreateProvider();
        var (request, result) = await _bed.MintAsync(provider, _bed.Target(_role));
        await provider.RevokeAsync(_bed.Revocation(request, result.RevocationData), CancellationToken.None);
        _bed.Clock.Advance(TimeSpan.FromHours(2));

        var revocation = _bed.Revocation(request, result.RevocationData);
        await provider.RevokeAsync(revocation, CancellationToken.None);

        Assert.Null(_bed.Fake.PolicyOf(_role.Name));
        Assert.Equal(1, _bed.Fake.Count("DeleteRolePolicy"));
        var verification = await provider.VerifyAsync(revocation, CancellationToken.None);
        Assert.True(verification.Revoked);
        Assert.Contains("expired", verification.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Revoke_ListOverflowsBudget_FallsBackToRoleWideDenyAndTellsTheObserver()
    {
        var observer = new RecordingObserver();
        var provider = _bed.CreateProvider(observers: [observer]);
        var target = _bed.Target(_role, ("deny_policy_max_chars", "1024"));
        var live = await _bed.MintAsync(provider, target);
        var revoked = new List<(MintRequest Request, MintResult Result)>();
        while (observer.Fallbacks.Count == 0)
        {
            var minted = await _bed.MintAsync(provider, target);
            await provider.RevokeAsync(_bed.Revocation(minted.Request, minted.Result.RevocationData), CancellationToken.None);
            revoked.Add(minted);
            Assert.True(revoked.Count < 40, "the 1,024-character budget should overflow well before 40 sessions");
        }

        var document = _bed.Fake.PolicyOf(_role.Name)!;
        Assert.True(RevokedSessionsPolicy.IamSize(document) <= 1024);
        Assert.Contains("\"DateLessThan\":{\"aws:TokenIssueTime\":\"2026-11-21T09:00:01Z\"}", document, StringComparison.Ordinal);
        Assert.Empty(ListedUserIds(document));
        var fallback = Assert.Single(observer.Fallbacks);
        Assert.Equal("aws", fallback.Provider);
        Assert.Equal(revoked[^1].Request.LeaseId, fallback.LeaseId);
        Assert.Equal(target.Name, fallback.Target);
        Assert.Contains("budget", fallback.Reason, StringComparison.Ordinal);
        Assert.Contains("other leases' live sessions", fallback.Effect, StringComparison.Ordinal);
        Assert.Contains(_bed.Logs.Entries, e => e.EventId == 4006 && e.Level == Microsoft.Extensions.Logging.LogLevel.Warning);
        foreach (var (request, result) in revoked)
        {
            Assert.False(await _bed.CanAsync(result.Credential));
            var verification = await provider.VerifyAsync(_bed.Revocation(request, result.RevocationData), CancellationToken.None);
            Assert.True(verification.Revoked, verification.Evidence);
        }

        // The documented cost of the fallback: a live, unrevoked session issued earlier is denied too ...
        Assert.False(await _bed.CanAsync(live.Result.Credential));

        // ... while sessions minted afterwards work, and are listed individually again when revoked.
        _bed.Clock.Advance(TimeSpan.FromSeconds(2));
        var (laterRequest, later) = await _bed.MintAsync(provider, target);
        Assert.True(await _bed.CanAsync(later.Credential));
        await provider.RevokeAsync(_bed.Revocation(laterRequest, later.RevocationData), CancellationToken.None);
        Assert.Equal([later.RevocationData.Values["assumed_role_id"]], ListedUserIds(_bed.Fake.PolicyOf(_role.Name)));
        Assert.Single(observer.Fallbacks);
    }

    [Fact]
    public async Task Revoke_OtherInlinePoliciesFillTheRoleLimit_FallsBackOnLimitExceeded()
    {
        var filler = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":[""" +
            string.Join(',', Enumerable.Range(0, 250).Select(i => $"\"arn:aws:s3:::bucket-{i:D4}/data/*\"")) + "]}]}";
        Assert.InRange(RevokedSessionsPolicy.IamSize(filler), 7000, 10000);
        _bed.Fake.SeedPolicy(_role.Name, "team-data-access", filler);
        var observer = new RecordingObserver();
        var provider = _bed.CreateProvider(observers: [observer]);
        var revoked = new List<MintResult>();
        while (observer.Fallbacks.Count == 0)
        {
            var (request, result) = await _bed.MintAsync(provider, _bed.Target(_role));
            await provider.RevokeAsync(_bed.Revocation(request, result.RevocationData), CancellationToken.None);
            revoked.Add(result);
            Assert.True(revoked.Count < 100, "IAM's 10,240-character aggregate limit should be reached well before 100 sessions");
        }

        Assert.Contains("LimitExceeded", Assert.Single(observer.Fallbacks).Reason, StringComparison.Ordinal);
        Assert.Equal(filler, _bed.Fake.PolicyOf(_role.Name, "team-data-access"));
        foreach (var result in revoked)
        {
            Assert.False(await _bed.CanAsync(result.Credential));
        }
    }

    [Fact]
    public async Task Revoke_ObserverThrows_RevocationStillSucceedsAndFailureIsLogged()
    {
        var provider = _bed.CreateProvider(observers: [new RecordingObserver(fail: true)]);
        var target = _bed.Target(_role, ("deny_policy_max_chars", "1024"));
        for (var i = 0; i < 40 && !_bed.Logs.Entries.Any(e => e.EventId == 4006); i++)
        {
            var (request, result) = await _bed.MintAsync(provider, target);
            await provider.RevokeAsync(_bed.Revocation(request, result.RevocationData), CancellationToken.None);
        }

        Assert.Contains(_bed.Logs.Entries, e => e.EventId == 4009 && e.Text.Contains("audit store unavailable", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Revoke_ExistingForeignStatementsInOurPolicy_AreKept()
    {
        const string foreign = """{"Sid":"SecurityTeamHold","Effect":"Deny","Action":"s3:DeleteObject","Resource":"*"}""";
        _bed.Fake.SeedPolicy(_role.Name, RevokedSessionsPolicy.PolicyName, """{"Version":"2012-10-17","Statement":[""" + foreign + "]}");
        var provider = _bed.CreateProvider();
        var (request, result) = await _bed.MintAsync(provider, _bed.Target(_role));

        await provider.RevokeAsync(_bed.Revocation(request, result.RevocationData), CancellationToken.None);

        Assert.Contains(foreign, _bed.Fake.PolicyOf(_role.Name), StringComparison.Ordinal);
        Assert.False(await _bed.CanAsync(result.Credential));
    }

    [Fact]
    public async Task Verify_PolicyRemovedAfterRevoke_ReportsNotRevoked()
    {
        var provider = _bed.CreateProvider();
        var (request, result) = await _bed.MintAsync(provider, _bed.Target(_role));
        var revocation = _bed.Revocation(request, result.RevocationData);
        await provider.RevokeAsync(revocation, CancellationToken.None);

        _bed.Fake.RemovePolicy(_role.Name, RevokedSessionsPolicy.PolicyName);

        var verification = await provider.VerifyAsync(revocation, CancellationToken.None);
        Assert.False(verification.Revoked);
        Assert.Contains("has no inline policy", verification.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Revoke_RoleNoLongerExists_ThrowsSafeAwsCallException()
    {
        var ghost = _bed.Fake.AddRole("ghost");
        var provider = _bed.CreateProvider();
        var (request, result) = await _bed.MintAsync(provider, _bed.Target(ghost));
        var revocation = _bed.Revocation(request, result.RevocationData.With("role_name", "deleted-role"));

        var error = await Assert.ThrowsAsync<AwsCallException>(() => provider.RevokeAsync(revocation, CancellationToken.None));

        Assert.Contains("NoSuchEntity (HTTP 404)", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, _bed.Fake.Count("PutRolePolicy"));
    }
}
