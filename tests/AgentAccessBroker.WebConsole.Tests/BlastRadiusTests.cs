using AgentAccessBroker.Actions;
using AgentAccessBroker.Domain;
using AgentAccessBroker.Server.Hosting;
using AgentAccessBroker.Policy;
using AgentAccessBroker.Server.WebConsole;
using AgentAccessBroker.Testing;

namespace AgentAccessBroker.WebConsole.Tests;

public sealed class BlastRadiusTests
{
    private static readonly DateTimeOffset Now = TestClock.Start;

    private static readonly ActionVocabularies Vocabularies = BrokerConnectorCatalog.Vocabularies();

    private static readonly BrokerPolicy Policy = PolicyLoader.Load("""
        version: 1
        agents: [{ id: agent-a, owner: alice }]
        approver_groups: [{ name: ops, members: [{ id: bob }, { id: carol }] }]
        targets:
          - name: db
            connector: postgresql
            approvers: ops
            resources:
              - { name: "app.public.*", sensitivity: medium, environment: dev }
              - { name: "app.hr.*", sensitivity: high, environment: dev }
              - { name: "app.vault.*", sensitivity: critical, environment: dev }
        """, "blast.yaml", _ => []).Policy ?? throw new InvalidOperationException("test policy invalid");

    private static Lease Lease(string id, IReadOnlyList<string> resources, IReadOnlyList<string> actions, TimeSpan left, LeaseState state = LeaseState.Active) =>
        new(id, "req", "task", "agent-a", "db", "postgresql", resources, actions, Now - TimeSpan.FromMinutes(1), Now + left, state,
            new Dictionary<string, string>(), 0, null, null, null, null);

    [Fact]
    public void Of_WritableHighAndCritical_HeadlinesWritableCountsAndLastEnd()
    {
        var radius = BlastRadius.Of(
        [
            Lease("l1", ["app.hr.salaries", "app.hr.bonus"], ["UPDATE"], TimeSpan.FromMinutes(12)),
            Lease("l2", ["app.vault.keys"], ["DELETE"], TimeSpan.FromMinutes(5)),
            Lease("l3", ["app.public.invoices"], ["SELECT"], TimeSpan.FromMinutes(30)),
        ], Policy, Vocabularies, Now);

        Assert.Equal("1 critical, 2 high resources writable for 12 more minutes", radius.Headline);
        Assert.Equal([Sensitivity.Critical, Sensitivity.High, Sensitivity.Medium], radius.Groups.Select(g => g.Sensitivity));
        Assert.False(radius.Groups.Single(g => g.Sensitivity == Sensitivity.Medium).Entries.Single().Writable);
    }

    [Fact]
    public void Of_ReadOnlyLeases_SaysNoneWritable()
    {
        var radius = BlastRadius.Of([Lease("l1", ["app.hr.salaries"], ["SELECT"], TimeSpan.FromSeconds(61))], Policy, Vocabularies, Now);

        Assert.Equal("1 high resource readable, none writable, for 2 more minutes", radius.Headline);
    }

    [Fact]
    public void Of_EndedOrRevokedLeasesAndUnknownResources_CountsOnlyWhatIsLive()
    {
        var radius = BlastRadius.Of(
        [
            Lease("ended", ["app.hr.salaries"], ["UPDATE"], TimeSpan.FromMinutes(-1)),
            Lease("revoked", ["app.hr.bonus"], ["UPDATE"], TimeSpan.FromMinutes(10), LeaseState.Revoked),
            Lease("live", ["elsewhere.table"], ["SELECT", "INSERT"], TimeSpan.FromMinutes(3)),
        ], Policy, Vocabularies, Now);

        // A resource the catalogue does not know is counted as critical: the safe side for the reader.
        Assert.Equal("1 critical resource writable for 3 more minutes", radius.Headline);
        Assert.Equal("elsewhere.table", radius.Groups.Single().Entries.Single().Resource);
    }

    [Fact]
    public void Of_NoLeases_SaysNothingReachable()
    {
        Assert.Equal("Nothing reachable: no live credentials.", BlastRadius.Of([], Policy, Vocabularies, Now).Headline);
    }
}
