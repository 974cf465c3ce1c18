using AgentAccessBroker.Domain;

namespace AgentAccessBroker.Storage;

/// <summary>What one cut-off transaction did: requests withdrawn and live leases marked due for revocation.</summary>
/// <param name="Withdrawn">
/// Requests moved from pending or approved to withdrawn, as they were before (pending ones may have a chat message to update).
/// </param>
/// <param name="MarkedDue">Live leases marked due now; the caller revokes them, and the sweeps do if it crashes.</param>
public sealed record CutOff(IReadOnlyList<AccessRequest> Withdrawn, int MarkedDue)
{
    public static CutOff None { get; } = new([], 0);
}

/// <summary>The outcome of ending a task.</summary>
/// <param name="Task">The task as stored after the transaction; null when there is no such task.</param>
/// <param name="EndedNow">False when it had already ended (the leases are marked due again all the same).</param>
public sealed record TaskEnding(BrokerTask? Task, bool EndedNow, CutOff CutOff);
