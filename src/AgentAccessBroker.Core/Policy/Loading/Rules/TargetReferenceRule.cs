namespace AgentAccessBroker.Policy.Loading.Rules;

/// <summary>Agents' allowed targets and rules' target conditions name declared targets, so a typo cannot silently widen or void them.</summary>
internal sealed class TargetReferenceRule : IPolicyRule
{
    public void Check(PolicyRuleContext context)
    {
        var targets = context.Draft.Targets.Select(t => t.Name?.Value).OfType<string>().ToHashSet(StringComparer.Ordinal);
        foreach (var agent in context.Draft.Agents)
        {
            foreach (var target in agent.Targets.Where(t => !targets.Contains(t.Value)))
            {
                context.Report(target.At, PolicyProblemCodes.UnknownTarget, $"agent '{agent.Id?.Value}' lists target '{target.Value}', which is not declared under targets");
            }
        }

        foreach (var rule in context.Draft.Rules)
        {
            if (rule.Target is { } target && !targets.Contains(target.Value))
            {
                context.Report(target.At, PolicyProblemCodes.UnknownTarget, $"rule '{rule.Name?.Value}' applies to target '{target.Value}', which is not declared under targets");
            }
        }
    }
}
