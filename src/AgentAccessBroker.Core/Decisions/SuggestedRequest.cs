namespace AgentAccessBroker.Decisions;

/// <summary>A narrower request that would be granted automatically, offered to the agent with a denial.</summary>
public sealed record SuggestedRequest(
    IReadOnlyList<string> Resources,
    IReadOnlyList<string> Actions,
    TimeSpan Duration,
    string Explanation);
