namespace AgentAccessBroker.Policy.Loading.Rules;

/// <summary>A target's <c>approvers</c> names a declared group; otherwise nobody could ever approve on it.</summary>
internal sealed class ApproverGroupReferenceRule : IPolicyRule
{
    public void Check(PolicyRuleContext context)
    {
        foreach (var target in context.Draft.Targets)
        {
            if (target.Approvers is { } approvers && context.FindGroup(approvers.Value) is null)
            {
                context.Report(
                    approvers.At,
                    PolicyProblemCodes.UnknownApproverGroup,
                    $"target '{target.Name?.Value}' names approver group '{approvers.Value}', which is not declared under approver_groups");
            }
        }
    }
}
