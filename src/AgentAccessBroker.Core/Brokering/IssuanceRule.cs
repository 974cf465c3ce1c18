using AgentAccessBroker.Domain;
using AgentAccessBroker.Policy;

namespace AgentAccessBroker.Brokering;

/// <summary>
/// The one rule for "may a credential be issued now?", checked at submit, at approval and at claim. A pure function
/// of what it is given; the store checks its durable half again (task, agent, locks) inside the transaction that writes
/// the lease row, so a cut-off that commits between this check and the row still wins.
/// </summary>
public static class IssuanceRule
{
    /// <summary>Null when a credential may be issued; otherwise the refusal (a 409 with a stable code).</summary>
    /// <param name="agent">The requesting agent's registration; null when it is gone.</param>
    /// <param name="locks">Locks in force (any subject; only those naming this agent or task count).</param>
    /// <param name="approvedAt">When a human approved the request; null for an automatic grant at submit.</param>
    public static BrokerError? Check(
        AccessRequest request, BrokerTask? task, Principal? agent, IReadOnlyList<AccessLock> locks, BrokerPolicy policy, DateTimeOffset? approvedAt, DateTimeOffset now)
    {
        if (task is null || task.State != TaskState.Active)
        {
            return IssuanceRefusals.TaskNotActive(request.TaskId, task?.State ?? TaskState.Completed);
        }

        if (task.Deadline is { } deadline && deadline <= now)
        {
            return IssuanceRefusals.TaskNotActive(task.Id, TaskState.Expired);
        }

        if (agent is null || agent.Status != PrincipalStatus.Enabled)
        {
            return IssuanceRefusals.AgentDisabled(request.AgentId);
        }

        if (agent.Locked)
        {
            return IssuanceRefusals.Locked(LockSubject.Agent, agent.Id);
        }

        foreach (var held in locks)
        {
            if (held.InForce && (held.Kind, held.Subject) is (LockSubject.Agent, var a) && a == request.AgentId)
            {
                return IssuanceRefusals.Locked(LockSubject.Agent, a);
            }

            if (held.InForce && (held.Kind, held.Subject) is (LockSubject.Task, var t) && t == task.Id)
            {
                return IssuanceRefusals.Locked(LockSubject.Task, t);
            }
        }

        return CheckPolicy(request, policy, approvedAt, now);
    }

    /// <summary>The policy half: the agent is still declared and allowed on the target, the approval is fresh, no deny rule fires.</summary>
    public static BrokerError? CheckPolicy(AccessRequest request, BrokerPolicy policy, DateTimeOffset? approvedAt, DateTimeOffset now)
    {
        var agentPolicy = policy.FindAgent(request.AgentId);
        if (agentPolicy is null)
        {
            return BrokerError.Conflict(IssuanceRefusals.AgentNotInPolicyCode, $"Agent '{request.AgentId}' is no longer declared in the policy; nothing is issued to it.");
        }

        var target = policy.FindTarget(request.Target);
        if (target is null)
        {
            return BrokerError.Conflict(IssuanceRefusals.UnknownTargetCode, $"Target '{request.Target}' is no longer in the policy.");
        }

        if (!agentPolicy.MayUse(target.Name))
        {
            return BrokerError.Conflict(IssuanceRefusals.TargetNotAllowedCode, $"Agent '{request.AgentId}' may no longer use target '{target.Name}'.");
        }

        if (approvedAt is { } approved)
        {
            var window = ClaimWindowOf(request, policy);
            if (now - approved > window)
            {
                return IssuanceRefusals.ApprovalExpired(request.Id, window);
            }
        }

        return DenyingRule(request, target, policy) is { } rule
            ? BrokerError.Conflict(IssuanceRefusals.DeniedByRuleCode, $"Policy rule '{rule.Name}' now denies this request; nothing is issued.")
            : null;
    }

    /// <summary>The claim window of a request: that of its most sensitive resource (unknown resources count as critical).</summary>
    public static TimeSpan ClaimWindowOf(AccessRequest request, BrokerPolicy policy) =>
        policy.RulesFor(PendingApprovals.SensitivityOf(request, policy.FindTarget(request.Target))).ClaimWindow;

    /// <summary>
    /// A deny rule of the policy in force that matches the request on its agent, target, and the environment,
    /// sensitivity and data tags of one of its resources. A rule with an action-class condition above read was
    /// checked by the analyzer when the request was assessed (classifying actions is the analyzer's job); it is
    /// not re-checked here.
    /// </summary>
    private static HardRule? DenyingRule(AccessRequest request, TargetPolicy target, BrokerPolicy policy)
    {
        foreach (var rule in policy.Rules)
        {
            if (rule.Effect != HardRuleEffect.Deny
                || (rule.AgentId is not null && rule.AgentId != request.AgentId)
                || (rule.Target is not null && rule.Target != request.Target)
                || rule.MinimumActionClass is > ActionClass.Read)
            {
                continue;
            }

            if (rule.Environment is null && rule.MinimumSensitivity is null && rule.DataTag is null)
            {
                return rule;
            }

            foreach (var resource in request.Resources)
            {
                var entry = target.Match(resource);
                var environmentOk = rule.Environment is null || entry is null || string.Equals(entry.Environment, rule.Environment, StringComparison.OrdinalIgnoreCase);
                var sensitivityOk = rule.MinimumSensitivity is not { } minimum || (entry?.Sensitivity ?? Sensitivity.Critical) >= minimum;
                var tagOk = rule.DataTag is null || entry is null || entry.Tags.Contains(rule.DataTag, StringComparer.OrdinalIgnoreCase);
                if (environmentOk && sensitivityOk && tagOk)
                {
                    return rule;
                }
            }
        }

        return null;
    }
}
