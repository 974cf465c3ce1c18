namespace AgentAccessBroker.Policy;

/// <summary>When repeated denials hand a task to a human: N denials in a row in a task, or M in total in the task.</summary>
public sealed record EscalationRules(int ConsecutiveDenials, int TotalDenials)
{
    public static EscalationRules Default { get; } = new(3, 20);
}
