using System.Data.Common;
using AgentAccessBroker.Domain;

namespace AgentAccessBroker.Storage.Tests;

public abstract partial class BrokerStoreConformance
{
    [Fact]
    public async Task CreatePrincipalAsync_EveryField_RoundTripsByIdAndTokenHash()
    {
        var agent = new Principal("billing-bot", PrincipalRole.Agent, "alice", T0);
        var human = new Principal("alice", PrincipalRole.Approver | PrincipalRole.Admin | PrincipalRole.Auditor, null, T0.AddTicks(1));

        await Store.CreatePrincipalAsync(agent, "hash-bot", CancellationToken.None);
        await Store.CreatePrincipalAsync(human, "hash-alice", CancellationToken.None);

        Assert.Equal(agent, await Store.GetPrincipalAsync("billing-bot", CancellationToken.None));
        Assert.Equal(human, await Store.FindPrincipalByTokenHashAsync("hash-alice", CancellationToken.None));
        Assert.Equal(agent, await Store.FindPrincipalByTokenHashAsync("hash-bot", CancellationToken.None));
    }

    [Fact]
    public async Task FindPrincipalAsync_UnknownIdOrHash_ReturnsNull()
    {
        await SeedAgentAsync("known");

        Assert.Null(await Store.GetPrincipalAsync("unknown", CancellationToken.None));
        Assert.Null(await Store.FindPrincipalByTokenHashAsync("hash-unknown", CancellationToken.None));
    }

    [Fact]
    public async Task CreatePrincipalAsync_TokenHashAlreadyUsed_Throws()
    {
        await Store.CreatePrincipalAsync(AgentPrincipal("a", T0), "same-hash", CancellationToken.None);

        await Assert.ThrowsAnyAsync<DbException>(() => Store.CreatePrincipalAsync(AgentPrincipal("b", T0), "same-hash", CancellationToken.None));
        Assert.Null(await Store.GetPrincipalAsync("b", CancellationToken.None));
    }

    [Fact]
    public async Task ListPrincipalsAsync_Several_OrderedByCreationThenId()
    {
        await Store.CreatePrincipalAsync(AgentPrincipal("c", T0.AddMinutes(1)), "h1", CancellationToken.None);
        await Store.CreatePrincipalAsync(AgentPrincipal("b", T0), "h2", CancellationToken.None);
        await Store.CreatePrincipalAsync(AgentPrincipal("a", T0), "h3", CancellationToken.None);

        var ids = (await Store.ListPrincipalsAsync(CancellationToken.None)).Select(p => p.Id);

        Assert.Equal(["a", "b", "c"], ids);
    }

    [Fact]
    public async Task CreateTaskAsync_EveryField_RoundTripsByIdAndTokenHash()
    {
        var agent = await SeedAgentAsync();
        var full = NewTask(agent.Id);
        var sparse = new BrokerTask(Ids.New("task"), "look around", "bob", agent.Id, [], null, T0, null, TaskState.Active, null);

        await Store.CreateTaskAsync(full, "task-hash-1", CancellationToken.None);
        await Store.CreateTaskAsync(sparse, "task-hash-2", CancellationToken.None);

        Assert.Equivalent(full, await Store.GetTaskAsync(full.Id, CancellationToken.None), strict: true);
        Assert.Equivalent(full, await Store.FindTaskByTokenHashAsync("task-hash-1", CancellationToken.None), strict: true);
        Assert.Equivalent(sparse, await Store.FindTaskByTokenHashAsync("task-hash-2", CancellationToken.None), strict: true);
        Assert.Null(await Store.FindTaskByTokenHashAsync("task-hash-3", CancellationToken.None));
        Assert.Null(await Store.GetTaskAsync("task_unknown", CancellationToken.None));
    }

    [Fact]
    public async Task ListTasksAsync_AgentAndStateFilters_ReturnMatchingTasksInCreationOrder()
    {
        var a = await SeedAgentAsync();
        var b = await SeedAgentAsync();
        var later = await SeedTaskAsync(a.Id, T0.AddMinutes(2));
        var earlier = await SeedTaskAsync(a.Id, T0.AddMinutes(1));
        var other = await SeedTaskAsync(b.Id, T0);
        await Store.CompleteTaskAsync(later.Id, T0.AddHours(1), CancellationToken.None);

        var all = await Store.ListTasksAsync(null, null, CancellationToken.None);
        var ofA = await Store.ListTasksAsync(a.Id, null, CancellationToken.None);
        var activeOfA = await Store.ListTasksAsync(a.Id, TaskState.Active, CancellationToken.None);
        var completed = await Store.ListTasksAsync(null, TaskState.Completed, CancellationToken.None);

        Assert.Equal([other.Id, earlier.Id, later.Id], all.Select(t => t.Id));
        Assert.Equal([earlier.Id, later.Id], ofA.Select(t => t.Id));
        Assert.Equal([earlier.Id], activeOfA.Select(t => t.Id));
        Assert.Equal([later.Id], completed.Select(t => t.Id));
    }

    [Fact]
    public async Task CompleteTaskAsync_ActiveTask_CompletesOnceThenReportsFalse()
    {
        var task = await SeedTaskAsync();
        var at = T0.AddHours(1).AddTicks(7);

        var first = await Store.CompleteTaskAsync(task.Id, at, CancellationToken.None);
        var second = await Store.CompleteTaskAsync(task.Id, at.AddHours(1), CancellationToken.None);
        var unknown = await Store.CompleteTaskAsync("task_unknown", at, CancellationToken.None);

        Assert.True(first);
        Assert.False(second);
        Assert.False(unknown);
        var stored = await Store.GetTaskAsync(task.Id, CancellationToken.None);
        Assert.Equal(TaskState.Completed, stored!.State);
        Assert.Equal(at, stored.CompletedAt);
    }

    [Fact]
    public async Task CompleteTaskAsync_TwentyConcurrentCallers_ExactlyOneSucceeds()
    {
        var task = await SeedTaskAsync();
        var second = OpenStore(Location);

        var results = await RaceAsync(20, i => (i % 2 == 0 ? Store : second).CompleteTaskAsync(task.Id, T0.AddMinutes(i), CancellationToken.None));

        Assert.Single(results, r => r);
    }
}
