namespace AgentAccessBroker.Policy.Loading.Rules;

/// <summary>Durations are positive, and a routine grant is never longer than the longest allowed one.</summary>
internal sealed class SensitivityDurationRule : IPolicyRule
{
    public void Check(PolicyRuleContext context)
    {
        foreach (var (level, rules) in context.Draft.Sensitivities)
        {
            var name = level.ToString().ToLowerInvariant();
            var normal = Positive(context, rules.NormalDuration, $"sensitivities.{name}.normal_duration");
            var max = Positive(context, rules.MaxDuration, $"sensitivities.{name}.max_duration");
            Positive(context, rules.ApprovalTimeout, $"sensitivities.{name}.approval_timeout");
            if (normal is not null && max is not null && normal.Value > max.Value)
            {
                context.Report(
                    rules.Blame(normal, max),
                    PolicyProblemCodes.DurationOrder,
                    $"sensitivity '{name}': normal_duration ({PolicyDuration.Format(normal.Value)}) must not exceed max_duration ({PolicyDuration.Format(max.Value)})");
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
