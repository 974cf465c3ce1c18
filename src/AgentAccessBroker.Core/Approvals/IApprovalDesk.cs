namespace AgentAccessBroker.Approvals;

/// <summary>
/// The one place votes are counted. Enforces: the voter is a member of the target's approver group; neither the task's
/// owner nor the agent's owner approves their own request; a deny beats any number of approvals; quorum of distinct
/// approvers per sensitivity; a decided request is never re-decided (double clicks and redeliveries are no-ops).
/// </summary>
public interface IApprovalDesk
{
    /// <param name="approverId">The broker principal id, already authenticated by the channel.</param>
    /// <param name="channelIdentity">What the channel verified (its external user id), for the audit trail.</param>
    /// <param name="shortenTo">For "approve for a shorter time".</param>
    Task<VoteResult> VoteAsync(
        string requestId,
        string approverId,
        bool approve,
        string channel,
        string? channelIdentity,
        TimeSpan? shortenTo,
        string? comment,
        CancellationToken cancellationToken);

    /// <summary>
    /// Finds the policy approver whose identity on <paramref name="channel"/> is <paramref name="externalUserId"/>, in
    /// the approver group of the request's target. Null when none (the caller must then count nothing).
    /// </summary>
    Task<string?> FindApproverAsync(string requestId, string channel, string externalUserId, CancellationToken cancellationToken);
}
