namespace AgentAccessBroker.Policy.Loading.Rules;

/// <summary>A rule's agent condition names a declared agent; a misspelt id would make the rule match nobody.</summary>
internal sealed class AgentReferenceRule : IPolicyRule
{
    public void Check(PolicyRuleContext context)
    {
        var agents = context.Draft.Agents.Select(a => a.Id?.Value).OfType<string>().ToHashSet(StringComparer.Ordinal);
        foreach (var rule in context.Draft.Rules)
        {
            if (rule.Agent is { } agent && !agents.Contains(agent.Value))
            {
                context.Report(agent.At, PolicyProblemCodes.UnknownAgent, $"rule '{rule.Name?.Value}' applies to agent '{agent.Value}', which is not declared under agents");
            }
        }
    }
}
