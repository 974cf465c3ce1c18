using AgentAccessBroker.Approvals;
using AgentAccessBroker.Domain;
using AgentAccessBroker.Policy;

namespace AgentAccessBroker.Brokering;

/// <summary>Facts about a pending request derived from the policy in force: its sensitivity, deadline and notice.</summary>
public static class PendingApprovals
{
    public static Sensitivity SensitivityOf(AccessRequest request, TargetPolicy? target) =>
        target is null
            ? Sensitivity.Critical
            : request.Resources.Select(r => target.Match(r)?.Sensitivity ?? Sensitivity.Critical).DefaultIfEmpty(Sensitivity.Critical).Max();

    public static DateTimeOffset DeadlineOf(AccessRequest request, BrokerPolicy policy) =>
        request.CreatedAt + policy.RulesFor(SensitivityOf(request, policy.FindTarget(request.Target))).ApprovalTimeout;

    public static string AgentOwnerOf(AccessRequest request, BrokerPolicy policy, Principal? agent) =>
        policy.FindAgent(request.AgentId)?.Owner ?? agent?.Owner ?? string.Empty;

    /// <summary>Who may decide: the target's approver group, minus the task's owner and the agent's owner (no self-approval).</summary>
    public static IReadOnlyList<string> EligibleApprovers(AccessRequest request, BrokerPolicy policy, string? taskOwner, string agentOwner)
    {
        var target = policy.FindTarget(request.Target);
        var group = target is null ? null : policy.FindApproverGroup(target.ApproverGroup);
        return (group?.Members ?? []).Select(m => m.Id).Where(id => id != taskOwner && id != agentOwner).ToList();
    }

    public static ApprovalNotice NoticeFor(AccessRequest request, BrokerTask task, BrokerPolicy policy, string agentOwner)
    {
        var target = policy.FindTarget(request.Target);
        var group = target is null ? null : policy.FindApproverGroup(target.ApproverGroup);
        var assessment = request.Assessment;
        return new ApprovalNotice(
            request.Id,
            request.AgentId,
            agentOwner,
            task.Id,
            task.Description,
            task.Owner,
            request.Target,
            request.Resources,
            request.Actions,
            request.GrantedDuration ?? request.RequestedDuration,
            request.Purpose,
            assessment?.Score ?? 100,
            (assessment?.Reasons ?? []).Concat((assessment?.Factors ?? []).OrderByDescending(f => f.Points).Select(f => f.ToString())).Take(5).ToList(),
            group?.Name ?? string.Empty,
            group?.Channels,
            assessment?.Quorum ?? 1,
            DeadlineOf(request, policy));
    }
}
