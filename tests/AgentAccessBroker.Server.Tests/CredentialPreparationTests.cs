using AgentAccessBroker.Brokering;
using AgentAccessBroker.Storage;

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
    public async Task SubmitRequest_Granted_StartsThePreparationBeforeLookingUpTheTask()
    {
        await using var flow = new BrokerFlowHarness();
        var (agent, task) = await flow.AgentWithTaskAsync();

        var outcome = await flow.Intake.SubmitAsync(
            agent,
            async _ =>
            {
                // The task lookup (a store read) overlaps the derivation already running on a start thread.
                await WaitForPreparationsAsync(flow, made: 1, unused: 1);
                return task;
            },
            BrokerFlowHarness.ReadBoxOne,
            dryRun: false,
            CancellationToken.None);

        Assert.IsType<RequestOutcome.Granted>(outcome);
        Assert.Equal((1, 0, 1), (flow.Provider.PreparationsMade, flow.Provider.UnusedPreparations, flow.Provider.MintCalls));
    }

    [Fact]
    public async Task SubmitRequest_TaskNotFound_DropsItsPreparationAndStoresNothing()
    {
        await using var flow = new BrokerFlowHarness();
        var (agent, _) = await flow.AgentWithTaskAsync();

        var error = await Assert.ThrowsAsync<BrokerError>(() => flow.Intake.SubmitAsync(
            agent, _ => throw BrokerError.Forbidden("invalid_task_token", "no such task"), BrokerFlowHarness.ReadBoxOne, dryRun: false, CancellationToken.None));

        Assert.Equal("invalid_task_token", error.Code);
        await WaitForPreparationsAsync(flow, made: 1, unused: 1);
        Assert.Equal(0, flow.Provider.MintCalls);
        Assert.Empty(await flow.Store.ListRequestsAsync(new RequestQuery(AgentId: agent.Id), CancellationToken.None));
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
        await WaitForPreparationsAsync(flow, made: 1, unused: 1);
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

    // A preparation runs on a start thread: it may finish after the caller has gone on, or after it was answered.
    private static async Task WaitForPreparationsAsync(BrokerFlowHarness flow, int made, int unused) =>
        Assert.True(
            await Task.Run(() => SpinWait.SpinUntil(() => (flow.Provider.PreparationsMade, flow.Provider.UnusedPreparations) == (made, unused), TimeSpan.FromSeconds(10))),
            $"expected {made} preparation(s), {unused} unused; saw {flow.Provider.PreparationsMade}, {flow.Provider.UnusedPreparations}");
}
