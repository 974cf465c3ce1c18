namespace AgentAccessBroker.Policy.Loading.Rules;

/// <summary>One check over a read policy. A rule reports every violation it finds and skips values that failed to read.</summary>
internal interface IPolicyRule
{
    void Check(PolicyRuleContext context);
}
