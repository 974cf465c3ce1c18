namespace AgentAccessBroker.Policy.Loading.Rules;

/// <summary>Every rule a policy must pass. All of them run on every load, so one load reports every problem.</summary>
internal static class PolicyRules
{
    public static IReadOnlyList<IPolicyRule> All { get; } =
    [
        new ThresholdRule(),
        new SensitivityDurationRule(),
        new QuorumRule(),
        new EscalationRule(),
        new UniqueNameRule(),
        new UniqueIdentityRule(),
        new ApproverGroupReferenceRule(),
        new TargetReferenceRule(),
        new AgentReferenceRule(),
        new RuleConditionRule(),
        new InlineSecretRule(),
        new ConnectorSettingsRule(),
        new ResourceCatalogueRule(),
        new ApproverGroupMembersRule(),
        new QuorumReachableRule(),
    ];
}
