namespace AgentAccessBroker.Server.Audit;

/// <summary>The verdict on an audit export, with every problem found.</summary>
public sealed record AuditVerification(bool Valid, IReadOnlyList<string> Problems, int Events, string? KeyId);
