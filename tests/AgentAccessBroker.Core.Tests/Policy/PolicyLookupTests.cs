using AgentAccessBroker.Policy;
using static AgentAccessBroker.Core.Tests.Policy.PolicyTestFiles;

namespace AgentAccessBroker.Core.Tests.Policy;

public sealed class PolicyLookupTests
{
    [Fact]
    public void FindAgent_AmongThousands_FindsEachByIdAndNothingForUnknownOrDifferentCase()
    {
        var agents = Enumerable.Range(0, 5_000).Select(i => new AgentPolicy($"agent-{i:0000}", $"owner-{i}", [])).ToList();
        var policy = Load(Minimal).Policy! with { Agents = agents };

        Assert.All(new[] { 0, 1, 2_500, 4_999 }, i => Assert.Same(agents[i], policy.FindAgent($"agent-{i:0000}")));
        Assert.Null(policy.FindAgent("agent-5000"));
        Assert.Null(policy.FindAgent("AGENT-0001"));
        Assert.Null(policy.FindAgent("billing-bot"));
    }

    [Fact]
    public void FindAgentAndTarget_CopyWithOtherLists_LooksUpTheCopysOwnLists()
    {
        var policy = Load(Minimal).Policy!;
        Assert.NotNull(policy.FindAgent("billing-bot"));
        Assert.NotNull(policy.FindTarget("app-db"));

        var renamed = policy with
        {
            Agents = [policy.FindAgent("billing-bot")! with { Id = "export-bot" }],
            Targets = [policy.FindTarget("app-db")! with { Name = "reports-db" }],
        };

        Assert.Null(renamed.FindAgent("billing-bot"));
        Assert.Equal("alice", renamed.FindAgent("export-bot")!.Owner);
        Assert.Null(renamed.FindTarget("app-db"));
        Assert.Equal("postgresql", renamed.FindTarget("reports-db")!.Connector);
        Assert.NotNull(policy.FindAgent("billing-bot"));
    }

    [Fact]
    public void FindAgent_SameIdTwice_FindsTheFirstAsAScanWould()
    {
        var first = new AgentPolicy("twin", "alice", []);
        var policy = Load(Minimal).Policy! with { Agents = [first, new AgentPolicy("twin", "bob", [])] };

        Assert.Same(first, policy.FindAgent("twin"));
    }
}
