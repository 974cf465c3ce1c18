namespace AgentAccessBroker.Policy.Loading.Rules;

/// <summary>
/// Within a group, an identity on a channel belongs to one approver: otherwise a click could be counted for either of
/// them. Compared ignoring case, as the desk compares them.
/// </summary>
internal sealed class UniqueIdentityRule : IPolicyRule
{
    public void Check(PolicyRuleContext context)
    {
        foreach (var group in context.Draft.ApproverGroups)
        {
            var first = new Dictionary<(string, string), (string Approver, SourceSpan At)>();
            foreach (var member in group.Members)
            {
                foreach (var (channel, id) in member.Identities)
                {
                    var key = (channel, id.Value.ToUpperInvariant());
                    if (first.TryGetValue(key, out var earlier))
                    {
                        context.Report(
                            id.At,
                            PolicyProblemCodes.DuplicateIdentity,
                            $"'{channel}' identity '{id.Value}' in group '{group.Name?.Value}' already belongs to '{earlier.Approver}' (line {earlier.At.Line})");
                    }
                    else
                    {
                        first[key] = (member.Id?.Value ?? "?", id.At);
                    }
                }
            }
        }
    }
}
