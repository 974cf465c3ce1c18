namespace AgentAccessBroker.Approvals;

/// <summary>
/// A place where humans are asked to decide (Slack, Teams, email). Channels only announce and update; every vote goes
/// through <see cref="IApprovalDesk"/>, which enforces who may approve, quorum, deny-wins and exactly-once decisions.
/// </summary>
/// <remarks>A channel must authenticate the clicker itself (for Slack: a verified signature and the user id from the
/// verified payload, never a button value) before calling the desk.</remarks>
public interface IApprovalChannel
{
    /// <summary>Channel name used in policy and audit (<c>slack</c>).</summary>
    string Name { get; }

    /// <summary>Asks the approvers. Returns a channel reference (for example Slack channel and message ts) to update later, or null when the channel does not serve this request.</summary>
    Task<string?> AnnounceAsync(ApprovalNotice notice, CancellationToken cancellationToken);

    /// <summary>Shows progress or the final outcome on the announcement.</summary>
    Task UpdateAsync(string channelReference, ApprovalNotice notice, ApprovalStatus status, CancellationToken cancellationToken);
}
