namespace AgentAccessBroker.Approvals;

/// <summary>
/// A place where humans are asked to decide (a chat tool, e-mail). Channels only announce and update; every vote goes
/// through <see cref="IApprovalDesk"/>, which enforces who may approve, quorum, deny-wins and exactly-once decisions.
/// </summary>
/// <remarks>A channel owns everything about its tool: its options, its endpoints, its messages and its checks. It must
/// authenticate the clicker itself (a verified signature or token, and the user id from the verified payload, never a
/// button value), then find the approver with <see cref="IApprovalDesk.FindApproverAsync"/> under its own
/// <see cref="Name"/>, which is also the identity name approvers carry in the policy.</remarks>
public interface IApprovalChannel
{
    /// <summary>Channel name used in policy (<c>channels</c>, <c>identities</c>) and audit. Lower case.</summary>
    string Name { get; }

    /// <summary>
    /// Asks the approvers at <see cref="ApprovalNotice.AddressOn"/> this channel's name (or the channel's default).
    /// Called only when <see cref="ApprovalNotice.AsksOn"/> this channel. Returns a channel reference (for example a
    /// chat channel and message id) to update later, or null when the channel does not serve this request.
    /// </summary>
    Task<string?> AnnounceAsync(ApprovalNotice notice, CancellationToken cancellationToken);

    /// <summary>Shows progress or the final outcome on the announcement.</summary>
    Task UpdateAsync(string channelReference, ApprovalNotice notice, ApprovalStatus status, CancellationToken cancellationToken);
}
