namespace AgentAccessBroker.Policy.Loading.Rules;

/// <summary>Scores run 0..100, and a score cannot be both granted and denied: <c>grant_below</c> &lt; <c>deny_at</c>.</summary>
internal sealed class ThresholdRule : IPolicyRule
{
    public void Check(PolicyRuleContext context)
    {
        foreach (var rules in context.Draft.Sensitivities.Values)
        {
            var grantBelow = InRange(context, rules.GrantBelow, rules.PathOf("grant_below"));
            var denyAt = InRange(context, rules.DenyAt, rules.PathOf("deny_at"));
            if (grantBelow is not null && denyAt is not null && grantBelow.Value >= denyAt.Value)
            {
                context.Report(
                    rules.Blame(grantBelow, denyAt),
                    PolicyProblemCodes.ThresholdOrder,
                    $"sensitivity '{rules.Name}': grant_below ({grantBelow.Value}) must be lower than deny_at ({denyAt.Value})");
            }
        }
    }

    private static Located<int>? InRange(PolicyRuleContext context, Located<int>? value, string path)
    {
        if (value is not null && value.Value is < 0 or > 100)
        {
            context.Report(value.At, PolicyProblemCodes.OutOfRange, $"'{path}' must be between 0 and 100, not {value.Value}");
            return null;
        }

        return value;
    }
}
