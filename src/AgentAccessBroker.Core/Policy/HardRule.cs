using AgentAccessBroker.Domain;

namespace AgentAccessBroker.Policy;

/// <summary>
/// A rule that overrides scoring. Deny wins over everything; require-approval wins over an automatic grant.
/// Every condition that is set must match; unset conditions match anything.
/// </summary>
public sealed record HardRule(
    string Name,
    HardRuleEffect Effect,
    string? Target,
    string? Environment,
    Sensitivity? MinimumSensitivity,
    ActionClass? MinimumActionClass,
    string? DataTag,
    string? AgentId);

public enum HardRuleEffect
{
    RequireApproval = 0,
    Deny = 1,
}
