namespace AgentAccessBroker.Policy;

/// <summary>A human approver: their broker principal id and, optionally, their chat identities.</summary>
public sealed record Approver(string Id, string? SlackUserId, string? Email);
