namespace AgentAccessBroker.Policy.Loading.Rules;

/// <summary>A target lists at least one resource; requests are matched against the catalogue, so an empty one is a mistake.</summary>
internal sealed class ResourceCatalogueRule : IPolicyRule
{
    public void Check(PolicyRuleContext context)
    {
        foreach (var target in context.Draft.Targets.Where(t => t.Resources.Count == 0))
        {
            context.Report(
                target.At,
                PolicyProblemCodes.EmptyResources,
                $"target '{target.Name?.Value}' needs at least one entry under 'resources'");
        }
    }
}
