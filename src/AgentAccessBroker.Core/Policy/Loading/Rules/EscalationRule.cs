namespace AgentAccessBroker.Policy.Loading.Rules;

/// <summary>Escalation counts are at least 1, and the in-a-row count cannot exceed the total (it would never fire first).</summary>
internal sealed class EscalationRule : IPolicyRule
{
    public void Check(PolicyRuleContext context)
    {
        var consecutive = AtLeastOne(context, context.Draft.Escalation.ConsecutiveDenials, "escalation.consecutive_denials");
        var total = AtLeastOne(context, context.Draft.Escalation.TotalDenials, "escalation.total_denials");
        if (consecutive is not null && total is not null && consecutive.Value > total.Value)
        {
            context.Report(
                consecutive.At,
                PolicyProblemCodes.EscalationOrder,
                $"escalation: consecutive_denials ({consecutive.Value}) must not exceed total_denials ({total.Value})");
        }
    }

    private static Located<int>? AtLeastOne(PolicyRuleContext context, Located<int>? value, string path)
    {
        if (value is { Value: < 1 })
        {
            context.Report(value.At, PolicyProblemCodes.OutOfRange, $"'{path}' must be at least 1, not {value.Value}");
            return null;
        }

        return value;
    }
}
