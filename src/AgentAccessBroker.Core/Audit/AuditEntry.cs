using System.Text.Json.Nodes;

namespace AgentAccessBroker.Audit;

/// <summary>An event about to be appended. The store assigns sequence, time and hashes.</summary>
/// <param name="Actor">Who caused it: a principal id, <c>broker</c>, <c>scheduler</c> or a chat identity.</param>
/// <param name="Data">Event details. Build it from non-secret fields only; never copy a credential, token or password.</param>
public sealed record AuditEntry(
    string Type,
    string Actor,
    string? AgentId,
    string? TaskId,
    string? RequestId,
    string? LeaseId,
    JsonObject Data);
