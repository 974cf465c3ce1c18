namespace AgentAccessBroker.Server.Evidence;

/// <summary>One of the analyzer's scoring factors.</summary>
public sealed record EvidenceFactor(string Code, int Points, string Explanation);
