using AgentAccessBroker.Brokering;
using AgentAccessBroker.Credentials;
using AgentAccessBroker.Domain;

namespace AgentAccessBroker.Server.Tests;

/// <summary>
/// A refused mint runs no rollback when the provider knows nothing was created (for AWS, a rollback would add a deny
/// entry for a session that never existed), and every mint failure reaches the agent and the lease with its stable
/// code and real reason, saying truthfully what was cleaned up.
/// </summary>
public sealed class MintRefusalTests
{
    [Fact]
    public async Task Issue_ProviderRefusesAndNothingCreated_NoRollbackAndReasonKept()
    {
        await using var flow = new BrokerFlowHarness();
        var (agent, task) = await flow.AgentWithTaskAsync();
        flow.Provider.MintRefusal = new CredentialRequestException("session_policy_too_large", "The session policy would be 9,000 characters; narrow the request.") { NothingCreated = true };

        var outcome = await flow.SubmitReadAsync(agent, task);

        var failed = Assert.IsType<RequestOutcome.MintFailed>(outcome);
        Assert.Equal("session_policy_too_large", failed.Code);
        Assert.Contains("9,000 characters", failed.Reason, StringComparison.Ordinal);
        Assert.Contains("Nothing was created.", failed.Reason, StringComparison.Ordinal);
        Assert.Equal(0, flow.Provider.RevokeCalls);
        var lease = Assert.Single(await flow.Store.ListLeasesAsync(new Storage.LeaseQuery(TaskId: task.Id), CancellationToken.None));
        Assert.Equal(LeaseState.MintFailed, lease.State);
        Assert.StartsWith("session_policy_too_large: The session policy would be 9,000 characters", lease.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Issue_OutsideFailureWithUnknownOutcome_RollsBackAndSaysSo()
    {
        await using var flow = new BrokerFlowHarness();
        var (agent, task) = await flow.AgentWithTaskAsync();
        flow.Provider.MintRefusal = new CredentialMintException("box_unavailable", "The box timed out after 3 attempts (request id r-17).", nothingCreated: false);

        var outcome = await flow.SubmitReadAsync(agent, task);

        var failed = Assert.IsType<RequestOutcome.MintFailed>(outcome);
        Assert.Equal("box_unavailable", failed.Code);
        Assert.Contains("request id r-17", failed.Reason, StringComparison.Ordinal);
        Assert.Contains("may have created was revoked", failed.Reason, StringComparison.Ordinal);
        Assert.EndsWith("Try again later.", failed.Reason, StringComparison.Ordinal);
        Assert.Equal(1, flow.Provider.RevokeCalls);
        var lease = Assert.Single(await flow.Store.ListLeasesAsync(new Storage.LeaseQuery(TaskId: task.Id), CancellationToken.None));
        Assert.StartsWith("box_unavailable: ", lease.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Issue_RollbackFails_ReasonSaysTheBrokerKeepsRetrying()
    {
        await using var flow = new BrokerFlowHarness();
        var (agent, task) = await flow.AgentWithTaskAsync();
        flow.Provider.MintRefusal = new CredentialMintException("box_unavailable", "The box timed out.", nothingCreated: false);
        flow.Provider.RevocationFailuresLeft = 1;

        var failed = Assert.IsType<RequestOutcome.MintFailed>(await flow.SubmitReadAsync(agent, task));

        Assert.Contains("failed too", failed.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("Nothing was created", failed.Reason, StringComparison.Ordinal);
        var lease = Assert.Single(await flow.Store.ListLeasesAsync(new Storage.LeaseQuery(TaskId: task.Id), CancellationToken.None));
        Assert.Equal(LeaseState.RevocationFailed, lease.State);
    }

    [Fact]
    public async Task Issue_RollbackRevokesButAccessRemains_VerificationKeepsTheLeaseForRetries()
    {
        await using var flow = new BrokerFlowHarness();
        var (agent, task) = await flow.AgentWithTaskAsync();
        flow.Provider.FailMint = true;
        flow.Provider.RevokeLeavesAccess = true;

        var failed = Assert.IsType<RequestOutcome.MintFailed>(await flow.SubmitReadAsync(agent, task));

        // The rollback goes through the revoker's revoke-then-verify: a revoke that left access behind is not "revoked".
        Assert.Equal(1, flow.Provider.RevokeCalls);
        Assert.Contains("failed too", failed.Reason, StringComparison.Ordinal);
        var lease = Assert.Single(await flow.Store.ListLeasesAsync(new Storage.LeaseQuery(TaskId: task.Id), CancellationToken.None));
        Assert.Equal(LeaseState.RevocationFailed, lease.State);
    }

    [Fact]
    public async Task Issue_ManyRefusals_NeverCallRevoke()
    {
        await using var flow = new BrokerFlowHarness();
        var (agent, task) = await flow.AgentWithTaskAsync();
        flow.Provider.MintRefusal = new CredentialRequestException("session_policy_too_large", "Too large.") { NothingCreated = true };

        for (var i = 0; i < 30; i++)
        {
            Assert.IsType<RequestOutcome.MintFailed>(await flow.SubmitReadAsync(agent, task));
        }

        Assert.Equal(30, flow.Provider.MintCalls);
        Assert.Equal(0, flow.Provider.RevokeCalls);
    }
}
