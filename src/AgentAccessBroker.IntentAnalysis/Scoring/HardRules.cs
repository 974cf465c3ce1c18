using AgentAccessBroker.Actions;
using AgentAccessBroker.Decisions;
using AgentAccessBroker.IntentAnalysis.Classification;
using AgentAccessBroker.Policy;

namespace AgentAccessBroker.IntentAnalysis.Scoring;

/// <summary>
/// Evaluates the policy's hard rules. Conditions on environment, sensitivity and data tag must all hold for one and the
/// same resource (a rule on "destructive in prod" does not fire for a delete in dev plus a read in prod); the action
/// class condition applies to the request, whose actions apply to every resource.
/// </summary>
internal static class HardRules
{
    public static (HardRule? Deny, HardRule? Approval) Match(AssessmentInput input, RequestFacts facts)
    {
        HardRule? deny = null, approval = null;
        foreach (var rule in input.Policy.Rules)
        {
            if (!Matches(rule, input, facts))
            {
                continue;
            }

            if (rule.Effect == HardRuleEffect.Deny)
            {
                deny ??= rule;
            }
            else
            {
                approval ??= rule;
            }
        }

        return (deny, approval);
    }

    /// <summary>Whether a narrower request (other resources, weaker actions) could escape the rule.</summary>
    public static bool DependsOnResources(HardRule rule) =>
        rule.Environment is not null || rule.MinimumSensitivity is not null || rule.DataTag is not null || rule.MinimumActionClass is not null;

    public static string Describe(HardRule rule)
    {
        var parts = new List<string>(5);
        if (rule.AgentId is not null)
        {
            parts.Add($"agent {rule.AgentId}");
        }

        if (rule.Target is not null)
        {
            parts.Add($"target {rule.Target}");
        }

        if (rule.Environment is not null)
        {
            parts.Add($"{rule.Environment} resources");
        }

        if (rule.MinimumSensitivity is { } s)
        {
            parts.Add($"{Words.Of(s)} or higher sensitivity");
        }

        if (rule.DataTag is not null)
        {
            parts.Add($"data tagged {rule.DataTag}");
        }

        if (rule.MinimumActionClass is { } c)
        {
            parts.Add($"{Words.Of(c)} access or worse");
        }

        return parts.Count == 0 ? "every request" : string.Join(", ", parts);
    }

    private static bool Matches(HardRule rule, AssessmentInput input, RequestFacts facts)
    {
        if (rule.AgentId is not null && !string.Equals(rule.AgentId, input.Request.AgentId, StringComparison.Ordinal))
        {
            return false;
        }

        if (rule.Target is not null && !string.Equals(rule.Target, input.Request.Target, StringComparison.Ordinal))
        {
            return false;
        }

        if (rule.MinimumActionClass is { } minimumClass && facts.TopClass < minimumClass)
        {
            return false;
        }

        if (rule.Environment is null && rule.MinimumSensitivity is null && rule.DataTag is null)
        {
            return true;
        }

        var environment = EnvironmentName.Normalise(rule.Environment);
        foreach (var r in facts.Resources)
        {
            // An unknown resource is treated as matching: it is denied anyway, and a rule must never be dodged by it.
            var environmentOk = environment is null || r.Catalogue is null || r.Environment == environment;
            var sensitivityOk = rule.MinimumSensitivity is not { } minimum || r.Sensitivity >= minimum;
            var tagOk = rule.DataTag is null || r.Catalogue is null || r.HasTag(rule.DataTag);
            if (environmentOk && sensitivityOk && tagOk)
            {
                return true;
            }
        }

        return false;
    }
}
