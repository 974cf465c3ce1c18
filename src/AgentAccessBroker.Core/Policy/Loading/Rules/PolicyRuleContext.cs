namespace AgentAccessBroker.Policy.Loading.Rules;

internal sealed record PolicyRuleContext(PolicyDraft Draft, ConnectorValidator ValidateConnector, ProblemSink Problems)
{
    public void Report(SourceSpan at, string code, string message) => Problems.Report(at, code, message);

    public ApproverGroupDraft? FindGroup(string name) =>
        Draft.ApproverGroups.FirstOrDefault(g => g.Name?.Value == name);
}
