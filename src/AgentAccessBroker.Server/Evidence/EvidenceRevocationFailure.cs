namespace AgentAccessBroker.Server.Evidence;

/// <summary>One failed revocation attempt of a lease.</summary>
public sealed record EvidenceRevocationFailure(DateTimeOffset At, int Attempt, string? Detail);
