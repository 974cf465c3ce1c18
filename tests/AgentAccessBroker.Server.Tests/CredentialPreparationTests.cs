using AgentAccessBroker.Brokering;
using AgentAccessBroker.Domain;

namespace AgentAccessBroker.Server.Tests;

/// <summary>
/// A provider with local work to prepare (<see cref="Credentials.IMintPreparer"/>, as PostgreSQL's key derivation) has
/// it done by the issuer beside the lease row's write, for the target as planned, once per granted request and only
/// for one; requests that are not granted prepare nothing.
/// </summary>
public sealed class CredentialPreparationTests
{
    [Fact]
    public async Task SubmitRequest_Granted_MintUsesTheOnePreparationMadeForItsTarget()
    {
        await using var flow = new BrokerFlowHarness();

        var (_, _, grant) = await flow.GrantAsync();

        // The scripted mint refuses a preparation made for another target or already used.
        Assert.True(flow.Provider.IsLive(grant.Lease.Id));
        Assert.Equal((1, 0, 1, 0), (flow.Provider.PreparationsMade, flow.Provider.UnusedPreparations, flow.Provider.MintCalls, flow.Provider.UnpreparedMints));
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
    public async Task SubmitRequest_NotGranted_PreparesAndMintsNothing()
    {
        await using var flow = new BrokerFlowHarness();
        var (agent, task) = await flow.AgentWithTaskAsync();
        var unknown = BrokerFlowHarness.ReadBoxOne with { Resources = ["elsewhere.table"] };

        var outcome = await flow.Intake.SubmitAsync(agent, task, unknown, dryRun: false, CancellationToken.None);

        Assert.IsNotType<RequestOutcome.Granted>(outcome);
        Assert.Equal((0, 0), (flow.Provider.PreparationsMade, flow.Provider.MintCalls));
    }

    [Fact]
    public async Task SubmitRequest_PolicyReloadedDuringTheAssessment_PreparesOnceForTheTargetAsPlanned()
    {
        await using var flow = new BrokerFlowHarness();
        flow.OnAssess = flow.ReloadPolicy;

        var (_, _, grant) = await flow.GrantAsync();

        // The target's settings were replaced before the lease was planned: the scripted mint refuses a preparation
        // made for the old ones.
        Assert.True(flow.Provider.IsLive(grant.Lease.Id));
        Assert.Equal((1, 0, 1), (flow.Provider.PreparationsMade, flow.Provider.UnusedPreparations, flow.Provider.MintCalls));
    }

    [Fact]
    public async Task ClaimRequest_Approved_MintsThroughTheSamePreparedPath()
    {
        await using var flow = new BrokerFlowHarness();
        var (agent, task) = await flow.AgentWithTaskAsync();
        var approved = await flow.ApprovedAsync(agent, task);

        var outcome = await flow.Intake.CheckAsync(agent, approved.Id, CancellationToken.None);

        var granted = Assert.IsType<RequestOutcome.Granted>(outcome);
        Assert.Equal(RequestStatus.Issued, granted.Request.Status);
        Assert.True(flow.Provider.IsLive(granted.Lease.Id));
        Assert.Equal((1, 0, 1, 0), (flow.Provider.PreparationsMade, flow.Provider.UnusedPreparations, flow.Provider.MintCalls, flow.Provider.UnpreparedMints));
    }
}
