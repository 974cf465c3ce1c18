namespace AgentAccessBroker.Policy.Loading.Rules;

/// <summary>
/// A target's approver group is large enough for the quorum of its most sensitive resource. Approvals must come from
/// distinct people, so a smaller group could never approve and every such request would time out.
/// </summary>
internal sealed class QuorumReachableRule : IPolicyRule
{
    public void Check(PolicyRuleContext context)
    {
        foreach (var target in context.Draft.Targets)
        {
            if (target.Approvers is not { } approvers || context.FindGroup(approvers.Value) is not { Members.Count: > 0 } group)
            {
                continue;
            }

            var people = group.Members.Select(m => m.Id?.Value).OfType<string>().Distinct(StringComparer.Ordinal).Count();
            var hardest = target.Resources
                .Select(r => r.Sensitivity)
                .OfType<Domain.Sensitivity>()
                .Select(level => (Level: level, Quorum: context.Draft.Sensitivities[level].Quorum?.Value ?? 0))
                .DefaultIfEmpty()
                .MaxBy(x => x.Quorum);
            if (hardest.Quorum > people)
            {
                context.Report(
                    approvers.At,
                    PolicyProblemCodes.QuorumUnreachable,
                    $"target '{target.Name?.Value}' has {hardest.Level.ToString().ToLowerInvariant()} resources that need {hardest.Quorum} approvers, but group '{approvers.Value}' has {people}");
            }
        }
    }
}
