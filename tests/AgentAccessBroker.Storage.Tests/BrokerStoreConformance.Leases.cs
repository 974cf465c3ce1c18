using AgentAccessBroker.Domain;

namespace AgentAccessBroker.Storage.Tests;

public abstract partial class BrokerStoreConformance
{
    protected static Lease NewLease(AccessRequest request, LeaseState state = LeaseState.Minting, DateTimeOffset? createdAt = null, DateTimeOffset? expiresAt = null) => new(
        Ids.New("lease"),
        request.Id,
        request.TaskId,
        request.AgentId,
        request.Target,
        "postgresql",
        request.Resources,
        request.Actions,
        createdAt ?? T0,
        expiresAt ?? T0.AddMinutes(30),
        state,
        new Dictionary<string, string> { ["role"] = "jit_lease_1", ["databases"] = "billing,reporting" },
        0,
        null,
        null,
        null,
        null);

    protected async Task<Lease> SeedLeaseAsync(
        AccessRequest? request = null,
        LeaseState state = LeaseState.Minting,
        DateTimeOffset? createdAt = null,
        DateTimeOffset? expiresAt = null,
        DateTimeOffset? nextAttemptAt = null)
    {
        request ??= await SeedRequestAsync();
        var lease = NewLease(request, state, createdAt, expiresAt) with { NextAttemptAt = nextAttemptAt };
        await Store.InsertLeaseAsync(lease, CancellationToken.None);
        return lease;
    }

    [Fact]
    public async Task InsertLeaseAsync_EveryField_RoundTrips()
    {
        var request = await SeedRequestAsync();
        var minting = NewLease(request);
        var failed = NewLease(request, LeaseState.RevocationFailed) with
        {
            RevocationData = new Dictionary<string, string>(),
            RevocationAttempts = 4,
            LastError = "role is still logged in",
            NextAttemptAt = T0.AddMinutes(31).AddTicks(1),
            RevokedAt = T0.AddMinutes(30).AddTicks(2),
            VerifiedAt = T0.AddMinutes(30).AddTicks(3),
            UsableUntil = T0.AddMinutes(45).AddTicks(4),
        };

        await Store.InsertLeaseAsync(minting, CancellationToken.None);
        await Store.InsertLeaseAsync(failed, CancellationToken.None);

        Assert.Equivalent(minting, await Store.GetLeaseAsync(minting.Id, CancellationToken.None), strict: true);
        Assert.Equivalent(failed, await Store.GetLeaseAsync(failed.Id, CancellationToken.None), strict: true);
        Assert.Null(await Store.GetLeaseAsync("lease_unknown", CancellationToken.None));
    }

    [Fact]
    public async Task TransitionLeaseAsync_FromExpectedState_WritesOnlyNonNullFields()
    {
        var lease = await SeedLeaseAsync();
        var data = new Dictionary<string, string> { ["role"] = "jit_lease_1", ["granted"] = "SELECT" };
        var expiry = T0.AddMinutes(20).AddTicks(9);

        var activated = await Store.TransitionLeaseAsync(
            lease.Id, [LeaseState.Minting], new LeaseUpdate(LeaseState.Active, RevocationData: data, ExpiresAt: expiry), CancellationToken.None);
        var failed = await Store.TransitionLeaseAsync(
            lease.Id,
            [LeaseState.Active, LeaseState.Revoking],
            new LeaseUpdate(LeaseState.RevocationFailed, RevocationAttempts: 1, LastError: "timeout", NextAttemptAt: T0.AddHours(1)),
            CancellationToken.None);

        Assert.True(activated);
        Assert.True(failed);
        Assert.Equivalent(
            lease with
            {
                State = LeaseState.RevocationFailed,
                RevocationData = data,
                ExpiresAt = expiry,
                RevocationAttempts = 1,
                LastError = "timeout",
                NextAttemptAt = T0.AddHours(1),
            },
            await Store.GetLeaseAsync(lease.Id, CancellationToken.None),
            strict: true);
    }

    [Fact]
    public async Task TransitionLeaseAsync_ClearLastError_RemovesErrorAndSetsRevocationTimes()
    {
        var lease = NewLease(await SeedRequestAsync(), LeaseState.RevocationFailed) with { LastError = "boom", RevocationAttempts = 2 };
        await Store.InsertLeaseAsync(lease, CancellationToken.None);

        var revoked = await Store.TransitionLeaseAsync(
            lease.Id,
            [LeaseState.RevocationFailed],
            new LeaseUpdate(LeaseState.Revoked, ClearLastError: true, RevokedAt: T0.AddHours(2), VerifiedAt: T0.AddHours(2).AddTicks(1)),
            CancellationToken.None);

        Assert.True(revoked);
        var stored = await Store.GetLeaseAsync(lease.Id, CancellationToken.None);
        Assert.Equal(LeaseState.Revoked, stored!.State);
        Assert.Null(stored.LastError);
        Assert.Equal(2, stored.RevocationAttempts);
        Assert.Equal(T0.AddHours(2), stored.RevokedAt);
        Assert.Equal(T0.AddHours(2).AddTicks(1), stored.VerifiedAt);
    }

    [Fact]
    public async Task TransitionLeaseAsync_NotInAnyExpectedState_ReturnsFalseAndChangesNothing()
    {
        var lease = await SeedLeaseAsync(state: LeaseState.Revoked);

        var fromLive = await Store.TransitionLeaseAsync(
            lease.Id, [LeaseState.Active, LeaseState.Revoking], new LeaseUpdate(LeaseState.Revoking, LastError: "x"), CancellationToken.None);
        var fromNothing = await Store.TransitionLeaseAsync(lease.Id, [], new LeaseUpdate(LeaseState.Active), CancellationToken.None);
        var unknown = await Store.TransitionLeaseAsync("lease_unknown", [LeaseState.Minting], new LeaseUpdate(LeaseState.Active), CancellationToken.None);

        Assert.False(fromLive);
        Assert.False(fromNothing);
        Assert.False(unknown);
        Assert.Equivalent(lease, await Store.GetLeaseAsync(lease.Id, CancellationToken.None), strict: true);
    }

    [Fact]
    public async Task TransitionLeaseAsync_TwentyConcurrentRevokers_ExactlyOneWins()
    {
        var lease = await SeedLeaseAsync(state: LeaseState.Active);
        var second = OpenStore(Location);

        var results = await RaceAsync(20, i => (i % 2 == 0 ? Store : second).TransitionLeaseAsync(
            lease.Id, [LeaseState.Active, LeaseState.RevocationFailed], new LeaseUpdate(LeaseState.Revoking, RevocationAttempts: i), CancellationToken.None));

        var winner = Assert.Single(Enumerable.Range(0, 20), i => results[i]);
        var stored = await Store.GetLeaseAsync(lease.Id, CancellationToken.None);
        Assert.Equal(LeaseState.Revoking, stored!.State);
        Assert.Equal(winner, stored.RevocationAttempts);
    }

    [Fact]
    public async Task ListLeasesAsync_Filters_ApplyAgentTaskStatesAndLimitInCreationOrder()
    {
        var task1 = await SeedTaskAsync();
        var task2 = await SeedTaskAsync(task1.AgentId);
        var otherAgentTask = await SeedTaskAsync();
        var l2 = await SeedLeaseAsync(await SeedRequestAsync(task1), LeaseState.Active, T0.AddMinutes(2));
        var l1 = await SeedLeaseAsync(await SeedRequestAsync(task2), LeaseState.Revoked, T0.AddMinutes(1));
        var l3 = await SeedLeaseAsync(await SeedRequestAsync(task1), LeaseState.RevocationFailed, T0.AddMinutes(3));
        var l0 = await SeedLeaseAsync(await SeedRequestAsync(otherAgentTask), LeaseState.Active, T0);

        Assert.Equal([l0.Id, l1.Id, l2.Id, l3.Id], (await Store.ListLeasesAsync(new(), CancellationToken.None)).Select(l => l.Id));
        Assert.Equal([l1.Id, l2.Id, l3.Id], (await Store.ListLeasesAsync(new(AgentId: task1.AgentId), CancellationToken.None)).Select(l => l.Id));
        Assert.Equal([l2.Id, l3.Id], (await Store.ListLeasesAsync(new(TaskId: task1.Id), CancellationToken.None)).Select(l => l.Id));
        Assert.Equal([l0.Id, l2.Id], (await Store.ListLeasesAsync(new(States: [LeaseState.Active]), CancellationToken.None)).Select(l => l.Id));
        Assert.Equal(
            [l2.Id, l3.Id],
            (await Store.ListLeasesAsync(new(TaskId: task1.Id, States: [LeaseState.Active, LeaseState.RevocationFailed, LeaseState.Minting]), CancellationToken.None)).Select(l => l.Id));
        Assert.Equal([l0.Id, l1.Id, l2.Id, l3.Id], (await Store.ListLeasesAsync(new(States: []), CancellationToken.None)).Select(l => l.Id));
        Assert.Equal([l0.Id], (await Store.ListLeasesAsync(new(Limit: 1), CancellationToken.None)).Select(l => l.Id));
    }

    [Fact]
    public async Task ListDueLeasesAsync_MixedLeases_SelectsExactlyTheDueOnes()
    {
        var now = T0.AddHours(1);
        var staleBefore = now.AddMinutes(-5);
        var request = await SeedRequestAsync();
        async Task<string> Lease(LeaseState state, DateTimeOffset createdAt, DateTimeOffset expiresAt, DateTimeOffset? nextAttemptAt = null) =>
            (await SeedLeaseAsync(request, state, createdAt, expiresAt, nextAttemptAt)).Id;

        var due = new[]
        {
            await Lease(LeaseState.Active, T0.AddTicks(1), now),
            await Lease(LeaseState.Active, T0.AddTicks(2), now.AddTicks(-1)),
            await Lease(LeaseState.Revoking, T0.AddTicks(3), now.AddHours(1)),
            await Lease(LeaseState.Revoking, T0.AddTicks(4), now.AddHours(1), now),
            await Lease(LeaseState.RevocationFailed, T0.AddTicks(5), now.AddHours(1)),
            await Lease(LeaseState.RevocationFailed, T0.AddTicks(6), now.AddHours(1), now.AddMinutes(-1)),
            await Lease(LeaseState.Minting, staleBefore.AddTicks(-1), now.AddHours(1)),
        };
        await Lease(LeaseState.Active, T0.AddTicks(10), now.AddTicks(1));
        await Lease(LeaseState.Revoking, T0.AddTicks(11), now.AddHours(-1), now.AddTicks(1));
        await Lease(LeaseState.RevocationFailed, T0.AddTicks(12), now.AddHours(-1), now.AddMinutes(1));
        await Lease(LeaseState.Minting, staleBefore, now.AddHours(-1));
        await Lease(LeaseState.Revoked, T0.AddTicks(13), now.AddHours(-1));
        await Lease(LeaseState.MintFailed, T0.AddTicks(14), now.AddHours(-1));

        var selected = await Store.ListDueLeasesAsync(now, staleBefore, 100, CancellationToken.None);

        Assert.Equal(due.Order(StringComparer.Ordinal), selected.Select(l => l.Id).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ListDueLeasesAsync_MoreDueThanLimit_ReturnsOldestFirst()
    {
        var request = await SeedRequestAsync();
        var third = await SeedLeaseAsync(request, LeaseState.Active, T0.AddMinutes(3), T0);
        var first = await SeedLeaseAsync(request, LeaseState.Active, T0.AddMinutes(1), T0);
        var second = await SeedLeaseAsync(request, LeaseState.Revoking, T0.AddMinutes(2), T0);

        var selected = await Store.ListDueLeasesAsync(T0.AddHours(1), T0, 2, CancellationToken.None);

        Assert.Equal([first.Id, second.Id], selected.Select(l => l.Id));
        Assert.DoesNotContain(third.Id, selected.Select(l => l.Id));
    }

    [Fact]
    public async Task ListRechecksDueAsync_MixedLeases_SelectsRevokedOnesAndRolledBackMintsStillUsableAndNotVerifiedSince()
    {
        var now = T0.AddHours(1);
        var verifiedBefore = now.AddMinutes(-5);
        var request = await SeedRequestAsync();
        async Task<string> Lease(LeaseState state, long order, DateTimeOffset? usableUntil, DateTimeOffset? verifiedAt)
        {
            var lease = NewLease(request, state, T0.AddTicks(order)) with { UsableUntil = usableUntil, VerifiedAt = verifiedAt };
            await Store.InsertLeaseAsync(lease, CancellationToken.None);
            return lease.Id;
        }

        var due = new[]
        {
            await Lease(LeaseState.Revoked, 1, now.AddTicks(1), verifiedBefore.AddTicks(-1)),
            await Lease(LeaseState.Revoked, 2, now.AddHours(1), null),
        };
        await Lease(LeaseState.Revoked, 3, now, verifiedBefore.AddMinutes(-10));
        await Lease(LeaseState.Revoked, 4, now.AddHours(1), verifiedBefore);
        await Lease(LeaseState.Revoked, 5, null, verifiedBefore.AddMinutes(-10));
        await Lease(LeaseState.RevocationFailed, 6, now.AddHours(1), verifiedBefore.AddMinutes(-10));
        await Lease(LeaseState.Active, 7, now.AddHours(1), null);
        var rolledBack = await Lease(LeaseState.MintFailed, 8, now.AddHours(1), verifiedBefore.AddTicks(-1));
        await Lease(LeaseState.MintFailed, 9, null, null);

        var selected = await Store.ListRechecksDueAsync(now, verifiedBefore, 100, CancellationToken.None);

        Assert.Equal([.. due, rolledBack], selected.Select(l => l.Id));
        Assert.Equal([due[0]], (await Store.ListRechecksDueAsync(now, verifiedBefore, 1, CancellationToken.None)).Select(l => l.Id));
    }

    [Fact]
    public async Task TransitionLeaseAsync_UsableUntilGiven_WrittenAndKeptByLaterUpdates()
    {
        var lease = await SeedLeaseAsync(state: LeaseState.Revoking);
        var until = T0.AddHours(2).AddTicks(7);

        Assert.True(await Store.TransitionLeaseAsync(lease.Id, [LeaseState.Revoking], new LeaseUpdate(LeaseState.Revoked, VerifiedAt: T0, UsableUntil: until), CancellationToken.None));
        Assert.True(await Store.TransitionLeaseAsync(lease.Id, [LeaseState.Revoked], new LeaseUpdate(LeaseState.Revoked, VerifiedAt: T0.AddMinutes(5)), CancellationToken.None));

        var stored = (await Store.GetLeaseAsync(lease.Id, CancellationToken.None))!;
        Assert.Equal(until, stored.UsableUntil);
        Assert.Equal(T0.AddMinutes(5), stored.VerifiedAt);
    }
}
