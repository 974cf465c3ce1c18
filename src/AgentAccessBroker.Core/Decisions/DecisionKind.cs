namespace AgentAccessBroker.Decisions;

public enum DecisionKind
{
    Grant = 0,
    RequireApproval = 1,
    Deny = 2,
}
