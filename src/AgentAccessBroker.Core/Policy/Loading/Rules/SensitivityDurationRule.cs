namespace AgentAccessBroker.Policy.Loading.Rules;

/// <summary>Durations are positive, and a routine grant is never longer than the longest allowed one.</summary>
internal sealed class SensitivityDurationRule : IPolicyRule
{
    public void Check(PolicyRuleContext context)
    {
        foreach (var rules in context.Draft.Sensitivities.Values)
        {
            var normal = Positive(context, rules.NormalDuration, rules.PathOf("normal_duration"));
            var max = Positive(context, rules.MaxDuration, rules.PathOf("max_duration"));
            Positive(context, rules.ApprovalTimeout, rules.PathOf("approval_timeout"));
            Positive(context, rules.ClaimWindow, rules.PathOf("claim_window"));
            if (normal is not null && max is not null && normal.Value > max.Value)
            {
                context.Report(
                    rules.Blame(normal, max),
                    PolicyProblemCodes.DurationOrder,
                    $"sensitivity '{rules.Name}': normal_duration ({PolicyDuration.Format(normal.Value)}) must not exceed max_duration ({PolicyDuration.Format(max.Value)})");
            }
        }
    }

    private static Located<TimeSpan>? Positive(PolicyRuleContext context, Located<TimeSpan>? value, string path)
    {
        if (value is not null && value.Value <= TimeSpan.Zero)
        {
            context.Report(value.At, PolicyProblemCodes.InvalidDuration, $"'{path}' must be longer than zero");
            return null;
        }

        return value;
    }
}
