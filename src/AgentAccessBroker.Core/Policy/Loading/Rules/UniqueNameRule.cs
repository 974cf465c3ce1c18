namespace AgentAccessBroker.Policy.Loading.Rules;

/// <summary>Names are how everything refers to everything: agents, groups, approvers in a group, rules, targets and a target's resources are unique.</summary>
internal sealed class UniqueNameRule : IPolicyRule
{
    public void Check(PolicyRuleContext context)
    {
        var draft = context.Draft;
        Unique(context, draft.Agents.Select(a => a.Id), "agent id");
        Unique(context, draft.ApproverGroups.Select(g => g.Name), "approver group");
        Unique(context, draft.Rules.Select(r => r.Name), "rule");
        Unique(context, draft.Targets.Select(t => t.Name), "target");
        foreach (var group in draft.ApproverGroups)
        {
            Unique(context, group.Members.Select(m => m.Id), $"approver in group '{group.Name?.Value}'");
        }

        foreach (var target in draft.Targets)
        {
            Unique(context, target.Resources.Select(r => r.Name), $"resource in target '{target.Name?.Value}'");
        }
    }

    private static void Unique(PolicyRuleContext context, IEnumerable<Located<string>?> names, string what)
    {
        var first = new Dictionary<string, SourceSpan>(StringComparer.Ordinal);
        foreach (var name in names.OfType<Located<string>>())
        {
            if (!first.TryAdd(name.Value, name.At))
            {
                context.Report(
                    name.At,
                    PolicyProblemCodes.DuplicateName,
                    $"{what} '{name.Value}' is already declared on line {first[name.Value].Line}");
            }
        }
    }
}
