namespace AgentAccessBroker.Policy.Loading.Rules;

/// <summary>An approver group has members; an empty one leaves every approval to time out.</summary>
internal sealed class ApproverGroupMembersRule : IPolicyRule
{
    public void Check(PolicyRuleContext context)
    {
        foreach (var group in context.Draft.ApproverGroups.Where(g => g.Members.Count == 0))
        {
            context.Report(group.At, PolicyProblemCodes.EmptyGroup, $"approver group '{group.Name?.Value}' needs at least one entry under 'members'");
        }
    }
}
