namespace AgentAccessBroker.Policy.Loading.Rules;

/// <summary>A rule sets at least one condition: an empty <c>when</c> would deny (or hold) every request.</summary>
internal sealed class RuleConditionRule : IPolicyRule
{
    public void Check(PolicyRuleContext context)
    {
        foreach (var rule in context.Draft.Rules.Where(r => r.ConditionCount == 0))
        {
            context.Report(
                rule.WhenAt,
                PolicyProblemCodes.EmptyCondition,
                $"rule '{rule.Name?.Value}' needs at least one condition under 'when' (environment, min_action_class, min_sensitivity, target, data_tag, agent)");
        }
    }
}
