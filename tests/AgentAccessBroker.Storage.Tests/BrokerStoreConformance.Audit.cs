using System.Text.Json.Nodes;
using AgentAccessBroker.Audit;

namespace AgentAccessBroker.Storage.Tests;

public abstract partial class BrokerStoreConformance
{
    protected static AuditEntry SampleEntry(string note, string? agentId = "agent_a", string? taskId = "task_a") => new(
        AuditEventType.RequestReceived,
        "broker",
        agentId,
        taskId,
        "req_1",
        null,
        new JsonObject { ["note"] = note, ["resources"] = new JsonArray("db.public.invoices", "db.public.customers"), ["score"] = 42 });

    /// <summary>Checks that <paramref name="events"/> is one unbroken chain from the genesis hash.</summary>
    protected static void AssertValidChain(IReadOnlyList<AuditEvent> events)
    {
        var previous = AuditChain.GenesisHash;
        for (var i = 0; i < events.Count; i++)
        {
            Assert.Equal(i + 1, events[i].Sequence);
            Assert.Equal(previous, events[i].PreviousHash);
            Assert.Equal(AuditChain.ComputeHash(events[i]), events[i].Hash);
            previous = events[i].Hash;
        }
    }

    [Fact]
    public async Task AppendAsync_SeveralEvents_FormChainFromGenesisWithContiguousSequences()
    {
        var appended = new List<AuditEvent>();
        for (var i = 0; i < 5; i++)
        {
            appended.Add(await Store.AppendAsync(SampleEntry("event " + i), CancellationToken.None));
            Clock.Advance(TimeSpan.FromTicks(1));
        }

        var read = await CollectAsync(Store.ReadAuditAsync(new(), CancellationToken.None));

        AssertValidChain(appended);
        Assert.Equal(appended, read);
    }

    [Fact]
    public async Task AppendAsync_EveryField_StoredExactlyAndHashStillVerifies()
    {
        var entry = new AuditEntry(
            AuditEventType.LeaseMinted, "scheduler", "agent_ä", "task_1", "req_1", "lease_1", new JsonObject { ["expires"] = "2026-11-21T10:00:00Z", ["quote"] = "\"x\"" });

        var appended = await Store.AppendAsync(entry, CancellationToken.None);
        var stored = Assert.Single(await CollectAsync(Store.ReadAuditAsync(new(), CancellationToken.None)));

        Assert.Equal(appended, stored);
        Assert.Equal(T0.UtcTicks, stored.Timestamp.UtcTicks);
        Assert.Equal(TimeSpan.Zero, stored.Timestamp.Offset);
        Assert.Equal(entry.Data.ToJsonString(), stored.Data);
        Assert.Equal((entry.Type, entry.Actor, entry.AgentId, entry.TaskId, entry.RequestId, entry.LeaseId), (stored.Type, stored.Actor, stored.AgentId, stored.TaskId, stored.RequestId, stored.LeaseId));
        Assert.Equal(AuditChain.ComputeHash(stored), stored.Hash);
    }

    [Fact]
    public async Task AppendAsync_NullReferences_RoundTripAsNull()
    {
        var appended = await Store.AppendAsync(
            new AuditEntry(AuditEventType.PolicyLoaded, "broker", null, null, null, null, []), CancellationToken.None);

        var stored = Assert.Single(await CollectAsync(Store.ReadAuditAsync(new(), CancellationToken.None)));

        Assert.Equal(appended, stored);
        Assert.Equal("{}", stored.Data);
    }

    [Fact]
    public async Task AppendAsync_FiftyConcurrentAppendsFromTwoNodes_FormOneValidChain()
    {
        var second = OpenStore(Location);

        var appended = await RaceAsync(50, i => (i % 2 == 0 ? Store : second).AppendAsync(SampleEntry("concurrent " + i), CancellationToken.None));

        var read = await CollectAsync(Store.ReadAuditAsync(new(), CancellationToken.None));
        Assert.Equal(50, read.Count);
        AssertValidChain(read);
        Assert.Equal(appended.OrderBy(e => e.Sequence), read);
        Assert.Equal(50, read.Select(e => e.Data).Distinct().Count());
    }

    [Fact]
    public async Task ReadAuditAsync_Filters_ApplyTimeRangeFromInclusiveToExclusiveAgentAndTask()
    {
        var events = new List<AuditEvent>();
        foreach (var (agent, task) in new[] { ("agent_a", "task_1"), ("agent_b", "task_2"), ("agent_a", "task_3"), ("agent_a", "task_1") })
        {
            events.Add(await Store.AppendAsync(SampleEntry("x", agent, task), CancellationToken.None));
            Clock.Advance(TimeSpan.FromMinutes(1));
        }

        async Task<IEnumerable<long>> Read(AuditQuery query) => (await CollectAsync(Store.ReadAuditAsync(query, CancellationToken.None))).Select(e => e.Sequence);

        Assert.Equal([2L, 3L], await Read(new(From: events[1].Timestamp, To: events[3].Timestamp)));
        Assert.Equal([1L, 2L], await Read(new(To: events[2].Timestamp)));
        Assert.Equal([4L], await Read(new(From: events[3].Timestamp)));
        Assert.Equal([1L, 3L, 4L], await Read(new(AgentId: "agent_a")));
        Assert.Equal([1L, 4L], await Read(new(TaskId: "task_1")));
        Assert.Equal([3L], await Read(new(From: events[1].Timestamp, AgentId: "agent_a", TaskId: "task_3")));
        Assert.Empty(await Read(new(AgentId: "agent_z")));
    }

    [Fact]
    public async Task ReadAuditAsync_MoreEventsThanOnePage_StreamsAllInSequenceOrder()
    {
        Store.AuditPageSize = 3;
        for (var i = 0; i < 10; i++)
        {
            await Store.AppendAsync(SampleEntry("page " + i, i % 2 == 0 ? "agent_a" : "agent_b"), CancellationToken.None);
        }

        var all = await CollectAsync(Store.ReadAuditAsync(new(), CancellationToken.None));
        var ofA = await CollectAsync(Store.ReadAuditAsync(new(AgentId: "agent_a"), CancellationToken.None));

        Assert.Equal(Enumerable.Range(1, 10).Select(i => (long)i), all.Select(e => e.Sequence));
        AssertValidChain(all);
        Assert.Equal([1L, 3L, 5L, 7L, 9L], ofA.Select(e => e.Sequence));
    }
}
