using AgentAccessBroker.Brokering;

namespace AgentAccessBroker.Server.Tests;

/// <summary>
/// The provider's local preparation (a PostgreSQL login role's key derivation) starts before the request is decided,
/// so that it overlaps the assessment and the lease row's write; only a granted request uses it, exactly once.
/// </summary>
public sealed class CredentialPreparationTests
{
    [Fact]
    public async Task SubmitRequest_Granted_MintUsesTheOnePreparationStartedForItsTarget()
    {
        await using var flow = new BrokerFlowHarness();

        var (_, _, grant) = await flow.GrantAsync();

        // The scripted mint refuses a preparation made for another target or already used.
        Assert.True(flow.Provider.IsLive(grant.Lease.Id));
        Assert.Equal((1, 0, 1), (flow.Provider.PreparationsMade, flow.Provider.UnusedPreparations, flow.Provider.MintCalls));
    }

    [Fact]
    public async Task SubmitRequest_DryRun_PreparesNothing()
    {
        await using var flow = new BrokerFlowHarness();
        var (agent, task) = await flow.AgentWithTaskAsync();

        var outcome = await flow.Intake.SubmitAsync(agent, task, BrokerFlowHarness.ReadBoxOne, dryRun: true, CancellationToken.None);

        Assert.IsType<RequestOutcome.Evaluated>(outcome);
        Assert.Equal((0, 0), (flow.Provider.PreparationsMade, flow.Provider.MintCalls));
    }

    [Fact]
    public async Task SubmitRequest_NotGranted_DropsItsPreparationAndMintsNothing()
    {
        await using var flow = new BrokerFlowHarness();
        var (agent, task) = await flow.AgentWithTaskAsync();
        var unknown = BrokerFlowHarness.ReadBoxOne with { Resources = ["elsewhere.table"] };

        var outcome = await flow.Intake.SubmitAsync(agent, task, unknown, dryRun: false, CancellationToken.None);

        Assert.IsNotType<RequestOutcome.Granted>(outcome);
        await WaitForUnusedPreparationAsync(flow);
        Assert.Equal((1, 1, 0), (flow.Provider.PreparationsMade, flow.Provider.UnusedPreparations, flow.Provider.MintCalls));
    }

    [Fact]
    public async Task SubmitRequest_PolicyReloadedBeforeTheLeaseIsPlanned_PreparesAgainForTheTargetAsPlanned()
    {
        await using var flow = new BrokerFlowHarness();
        flow.OnAssess = flow.ReloadPolicy;

        var (_, _, grant) = await flow.GrantAsync();

        // The first preparation was made for the replaced settings: the scripted mint would refuse it.
        Assert.True(flow.Provider.IsLive(grant.Lease.Id));
        Assert.Equal((2, 1, 1), (flow.Provider.PreparationsMade, flow.Provider.UnusedPreparations, flow.Provider.MintCalls));
    }

    // A dropped preparation finishes on its own thread after the request has been answered.
    private static async Task WaitForUnusedPreparationAsync(BrokerFlowHarness flow) =>
        Assert.True(await Task.Run(() => SpinWait.SpinUntil(() => flow.Provider.UnusedPreparations == 1, TimeSpan.FromSeconds(10))), "the preparation never ran");
}
