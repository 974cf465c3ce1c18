using AgentAccessBroker.Decisions;
using AgentAccessBroker.Domain;

namespace AgentAccessBroker.Storage;

/// <summary>Filters for listing requests. Null means "any".</summary>
/// <param name="After">A page's <see cref="ListCursor"/>: only rows after it, in (created, id) order.</param>
public sealed record RequestQuery(string? AgentId = null, string? TaskId = null, RequestStatus? Status = null, int Limit = 500, string? After = null);

/// <summary>Filters for listing leases. Null or empty means "any".</summary>
/// <param name="After">A page's <see cref="ListCursor"/>: only rows after it, in (created, id) order.</param>
public sealed record LeaseQuery(string? AgentId = null, string? TaskId = null, IReadOnlyCollection<LeaseState>? States = null, int Limit = 500, string? After = null);

/// <summary>Filters for reading the audit trail: a time range (from inclusive, to exclusive) and optional agent or task.</summary>
public sealed record AuditQuery(DateTimeOffset? From = null, DateTimeOffset? To = null, string? AgentId = null, string? TaskId = null);

/// <summary>The decision fields written when a request changes status.</summary>
public sealed record RequestUpdate(
    RequestStatus Status,
    DateTimeOffset At,
    Assessment? Assessment = null,
    TimeSpan? GrantedDuration = null,
    string? LeaseId = null);

/// <summary>Fields written when a lease changes state; null fields are left as they are.</summary>
/// <param name="UsableUntil">See <see cref="Lease.UsableUntil"/>.</param>
public sealed record LeaseUpdate(
    LeaseState State,
    IReadOnlyDictionary<string, string>? RevocationData = null,
    DateTimeOffset? ExpiresAt = null,
    int? RevocationAttempts = null,
    string? LastError = null,
    bool ClearLastError = false,
    DateTimeOffset? NextAttemptAt = null,
    DateTimeOffset? RevokedAt = null,
    DateTimeOffset? VerifiedAt = null,
    DateTimeOffset? UsableUntil = null);
