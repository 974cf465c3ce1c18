using System.Data.Common;
using AgentAccessBroker.Decisions;
using AgentAccessBroker.Domain;
using Dapper;

namespace AgentAccessBroker.Storage.Tests;

public abstract partial class BrokerStoreConformance
{
    [Fact]
    public async Task GetHistoryAsync_NothingStored_ReturnsEmpty()
    {
        var history = await Store.GetHistoryAsync("agent_a", "task_a", CancellationToken.None);

        Assert.Equivalent(BehaviourHistory.Empty("agent_a", "task_a"), history, strict: true);
    }

    [Fact]
    public async Task UpdateHistoryAsync_EveryField_RoundTrips()
    {
        var expected = new BehaviourHistory(
            new AgentHistory(
                "agent_a",
                7,
                2,
                new Dictionary<string, int> { ["billing-db|db.public.invoices|Read"] = 3, ["billing-db|db.public.customers|Write"] = 1 },
                ["billing-db|db.public.invoices", "billing-db|db.public.customers"],
                ["Read", "Write"],
                [T0, T0.AddTicks(1), T0.AddMinutes(1)]),
            new TaskHistory("agent_a", "task_a", 4, 2, 1, ["dump every table"], ["identity_created"], ["billing-db|db.public.invoices"], 6, true));

        var returned = await Store.UpdateHistoryAsync("agent_a", "task_a", _ => expected, CancellationToken.None);
        var stored = await Store.GetHistoryAsync("agent_a", "task_a", CancellationToken.None);

        Assert.Same(expected, returned);
        Assert.Equivalent(expected, stored, strict: true);
    }

    [Fact]
    public async Task UpdateHistoryAsync_SecondTaskOfSameAgent_SharesAgentAggregateOnly()
    {
        await Store.UpdateHistoryAsync("agent_a", "task_1", h => HistoryFold.RecordRequest(h, T0), CancellationToken.None);

        var second = await Store.UpdateHistoryAsync("agent_a", "task_2", h => HistoryFold.RecordRequest(h, T0.AddMinutes(1)), CancellationToken.None);

        Assert.Equal(2, second.Agent.TotalRequests);
        Assert.Equal([T0, T0.AddMinutes(1)], second.Agent.RecentRequestTimes);
        Assert.Equal(1, second.Task.Requests);
        Assert.Equal("task_2", second.Task.TaskId);
        Assert.Equal(1, (await Store.GetHistoryAsync("agent_a", "task_1", CancellationToken.None)).Task.Requests);
        Assert.Equal(0, (await Store.GetHistoryAsync("agent_b", "task_1", CancellationToken.None)).Agent.TotalRequests);
    }

    [Fact]
    public async Task UpdateHistoryAsync_TwentyConcurrentUpdatesFromTwoNodes_LosesNoIncrement()
    {
        var second = OpenStore(Location);

        await RaceAsync(20, i => (i % 2 == 0 ? Store : second).UpdateHistoryAsync(
            "agent_a", "task_a", h => HistoryFold.RecordRequest(h, T0.AddSeconds(i)), CancellationToken.None));

        var history = await Store.GetHistoryAsync("agent_a", "task_a", CancellationToken.None);
        Assert.Equal(20, history.Agent.TotalRequests);
        Assert.Equal(20, history.Task.Requests);
        Assert.Equal(20, history.Agent.RecentRequestTimes.Distinct().Count());
    }

    [Fact]
    public async Task UpdateHistoryAsync_UpdateThrows_KeepsPreviousHistory()
    {
        await Store.UpdateHistoryAsync("agent_a", "task_a", h => HistoryFold.RecordRequest(h, T0), CancellationToken.None);

        await Assert.ThrowsAsync<InvalidOperationException>(() => Store.UpdateHistoryAsync(
            "agent_a", "task_b", _ => throw new InvalidOperationException("assessor bug"), CancellationToken.None));

        Assert.Equal(1, (await Store.GetHistoryAsync("agent_a", "task_a", CancellationToken.None)).Agent.TotalRequests);
        await using var connection = await OpenRawAsync(Location);
        Assert.Equal(0L, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM aab_task_history WHERE task_id = 'task_b'"));
    }

    [Fact]
    public async Task GetHistoryAsync_RowWrittenBeforeFieldsExisted_FillsMissingFieldsWithDefaults()
    {
        await Store.UpdateHistoryAsync("agent_a", "task_a", h => HistoryFold.RecordRequest(h, T0), CancellationToken.None);
        await using (var connection = await OpenRawAsync(Location))
        {
            // As an older release (or a newer one with an extra field) would have written them.
            await connection.ExecuteAsync("""UPDATE aab_agent_history SET data = '{"agentId":"agent_a","totalRequests":5,"retiredField":1}'""");
            await connection.ExecuteAsync("""UPDATE aab_task_history SET data = '{"agentId":"agent_a","taskId":"task_a","denials":2}'""");
        }

        var history = await Store.GetHistoryAsync("agent_a", "task_a", CancellationToken.None);
        var updated = await Store.UpdateHistoryAsync("agent_a", "task_a", h => HistoryFold.RecordRequest(h, T0), CancellationToken.None);

        Assert.Equivalent(AgentHistory.Empty("agent_a") with { TotalRequests = 5 }, history.Agent, strict: true);
        Assert.Equivalent(TaskHistory.Empty("agent_a", "task_a") with { Denials = 2 }, history.Task, strict: true);
        Assert.Equal(6, updated.Agent.TotalRequests);
        Assert.Equal(1, updated.Task.Requests);
    }

    [Fact]
    public async Task UpdateHistoryAsync_FoldedOutcome_RoundTripsThroughStore()
    {
        var request = NewRequest("agent_a", "task_a");
        var outcome = new HistoryOutcome(request, DecisionKind.Grant, [ActionClass.Read, ActionClass.Write], ["identity_created"], "rerun export", T0);

        var folded = await Store.UpdateHistoryAsync(
            "agent_a", "task_a", h => HistoryFold.RecordOutcome(HistoryFold.RecordRequest(h, T0), outcome, humanReviewMode: false), CancellationToken.None);

        Assert.Equivalent(folded, await Store.GetHistoryAsync("agent_a", "task_a", CancellationToken.None), strict: true);
        Assert.Equal(2, folded.Agent.GrantCounts.Count);
    }

    [Fact]
    public async Task GetHistoryAsync_AnotherNodeChangedTheRows_ReturnsTheirNewVersion()
    {
        var other = OpenStore(Location);
        await Store.UpdateHistoryAsync("agent_a", "task_a", h => HistoryFold.RecordRequest(h, T0), CancellationToken.None);
        Assert.Equal(1, (await Store.GetHistoryAsync("agent_a", "task_a", CancellationToken.None)).Agent.TotalRequests);

        await other.UpdateHistoryAsync("agent_a", "task_a", h => HistoryFold.RecordRequest(h, T0.AddSeconds(1)), CancellationToken.None);
        var read = await Store.GetHistoryAsync("agent_a", "task_a", CancellationToken.None);
        var updated = await Store.UpdateHistoryAsync("agent_a", "task_a", h => HistoryFold.RecordRequest(h, T0.AddSeconds(2)), CancellationToken.None);

        Assert.Equal((2, 2), (read.Agent.TotalRequests, read.Task.Requests));
        Assert.Equal((3, 3), (updated.Agent.TotalRequests, updated.Task.Requests));
        Assert.Equivalent(updated, await other.GetHistoryAsync("agent_a", "task_a", CancellationToken.None), strict: true);
    }

    [Fact]
    public async Task RecordRequestAsync_RolledBackAfterItsHistoryWrite_LeavesTheStoredHistoryCurrent()
    {
        var task = await SeedTaskAsync();
        await Store.UpdateHistoryAsync(task.AgentId, task.Id, h => HistoryFold.RecordRequest(h, T0), CancellationToken.None);
        var first = NewRequest(task.AgentId, task.Id, status: RequestStatus.Issued);
        var lease = NewLease(first);
        await Store.RecordRequestAsync(first, h => h, lease, [], CancellationToken.None);

        // The history is written (and this node remembers it) before the lease insert fails on the duplicate id.
        var second = NewRequest(task.AgentId, task.Id, status: RequestStatus.Issued);
        await Assert.ThrowsAnyAsync<DbException>(() => Store.RecordRequestAsync(
            second, h => HistoryFold.RecordRequest(h, T0.AddSeconds(1)), lease with { RequestId = second.Id }, [], CancellationToken.None));

        var history = await Store.GetHistoryAsync(task.AgentId, task.Id, CancellationToken.None);
        Assert.Equal((1, 1), (history.Agent.TotalRequests, history.Task.Requests));
        var updated = await Store.UpdateHistoryAsync(task.AgentId, task.Id, h => HistoryFold.RecordRequest(h, T0.AddSeconds(2)), CancellationToken.None);
        Assert.Equal((2, 2), (updated.Agent.TotalRequests, updated.Task.Requests));
    }

    [Fact]
    public async Task UpdateHistoryAsync_DataChangedWithoutANewStamp_ClearsTheStampAndIsReadAsChanged()
    {
        await Store.UpdateHistoryAsync("agent_a", "task_a", h => HistoryFold.RecordRequest(h, T0), CancellationToken.None);
        await Store.GetHistoryAsync("agent_a", "task_a", CancellationToken.None);
        await using var connection = await OpenRawAsync(Location);
        Assert.NotEqual(0L, await connection.ExecuteScalarAsync<long>("SELECT stamp FROM aab_agent_history"));

        // As a release without stamps would write it during a rolling upgrade: data only.
        await connection.ExecuteAsync("""UPDATE aab_agent_history SET data = '{"agentId":"agent_a","totalRequests":9}'""");

        Assert.Equal(0L, await connection.ExecuteScalarAsync<long>("SELECT stamp FROM aab_agent_history"));
        Assert.Equal(9, (await Store.GetHistoryAsync("agent_a", "task_a", CancellationToken.None)).Agent.TotalRequests);
        Assert.Equal(10, (await Store.UpdateHistoryAsync("agent_a", "task_a", h => HistoryFold.RecordRequest(h, T0), CancellationToken.None)).Agent.TotalRequests);
        Assert.NotEqual(0L, await connection.ExecuteScalarAsync<long>("SELECT stamp FROM aab_agent_history"));
        Assert.Equal(10, (await Store.GetHistoryAsync("agent_a", "task_a", CancellationToken.None)).Agent.TotalRequests);
    }
}
