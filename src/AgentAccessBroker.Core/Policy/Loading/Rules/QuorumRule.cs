namespace AgentAccessBroker.Policy.Loading.Rules;

/// <summary>At least one approval: a quorum of zero would turn "pending approval" into an automatic grant.</summary>
internal sealed class QuorumRule : IPolicyRule
{
    public void Check(PolicyRuleContext context)
    {
        foreach (var rules in context.Draft.Sensitivities.Values)
        {
            if (rules.Quorum is { Value: < 1 } quorum)
            {
                context.Report(quorum.At, PolicyProblemCodes.OutOfRange, $"'{rules.PathOf("quorum")}' must be at least 1, not {quorum.Value}");
            }
        }
    }
}
