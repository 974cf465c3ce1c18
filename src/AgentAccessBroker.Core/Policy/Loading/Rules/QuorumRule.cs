namespace AgentAccessBroker.Policy.Loading.Rules;

/// <summary>At least one approval: a quorum of zero would turn "pending approval" into an automatic grant.</summary>
internal sealed class QuorumRule : IPolicyRule
{
    public void Check(PolicyRuleContext context)
    {
        foreach (var (level, rules) in context.Draft.Sensitivities)
        {
            if (rules.Quorum is { Value: < 1 } quorum)
            {
                context.Report(
                    quorum.At,
                    PolicyProblemCodes.OutOfRange,
                    $"'sensitivities.{level.ToString().ToLowerInvariant()}.quorum' must be at least 1, not {quorum.Value}");
            }
        }
    }
}
