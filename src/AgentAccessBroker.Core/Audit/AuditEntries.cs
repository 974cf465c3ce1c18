using System.Text.Json.Nodes;
using AgentAccessBroker.Approvals;
using AgentAccessBroker.Credentials;
using AgentAccessBroker.Decisions;
using AgentAccessBroker.Domain;

namespace AgentAccessBroker.Audit;

/// <summary>
/// Builds the audit event of each broker step. Event data is built here from non-secret fields only, so no caller can
/// accidentally copy a credential into the trail. Request decisions and lease changes hand their events to the store
/// with the change itself, so the two commit together; the rest (tasks, principals, votes) are appended after.
/// </summary>
public static class AuditEntries
{
    public static AuditEntry TaskStarted(string actor, BrokerTask task) =>
        Entry(AuditEventType.TaskStarted, actor, task.AgentId, task.Id, null, null, new JsonObject
        {
            ["description"] = task.Description,
            ["owner"] = task.Owner,
            ["scope_hints"] = Array(task.ScopeHints),
            ["environment"] = task.Environment,
            ["deadline"] = task.Deadline?.ToString("O"),
        });

    public static AuditEntry TaskCompleted(string actor, BrokerTask task, int leasesToRevoke) =>
        Entry(AuditEventType.TaskCompleted, actor, task.AgentId, task.Id, null, null, new JsonObject { ["leases_to_revoke"] = leasesToRevoke });

    /// <summary>A task ended (completed, cancelled or expired) and how many of its leases and requests that cut off.</summary>
    public static AuditEntry TaskEnded(string actor, BrokerTask task, TaskState end, string reason, int leasesToRevoke, int requestsWithdrawn) =>
        Entry(end switch { TaskState.Cancelled => AuditEventType.TaskCancelled, TaskState.Expired => AuditEventType.TaskExpired, _ => AuditEventType.TaskCompleted },
            actor, task.AgentId, task.Id, null, null, new JsonObject
            {
                ["leases_to_revoke"] = leasesToRevoke,
                ["requests_withdrawn"] = requestsWithdrawn,
                ["reason"] = reason,
            });

    public static AuditEntry PrincipalStatusChanged(string actor, Principal principal, PrincipalStatus status, string? reason) =>
        Entry(status switch { PrincipalStatus.Disabled => AuditEventType.PrincipalDisabled, PrincipalStatus.Removed => AuditEventType.PrincipalRemoved, _ => AuditEventType.PrincipalEnabled },
            actor, principal.Has(PrincipalRole.Agent) ? principal.Id : null, null, null, null,
            new JsonObject { ["principal"] = principal.Id, ["roles"] = principal.Roles.ToString(), ["reason"] = reason });

    /// <summary>A new token for a principal. Only the expiry is recorded: the token and its hash never reach the trail.</summary>
    public static AuditEntry TokenRotated(string actor, Principal principal, DateTimeOffset? expiresAt) =>
        Entry(AuditEventType.TokenRotated, actor, principal.Has(PrincipalRole.Agent) ? principal.Id : null, null, null, null,
            new JsonObject { ["principal"] = principal.Id, ["expires_at"] = expiresAt?.ToString("O") });

    public static AuditEntry LockCreated(AccessLock accessLock) =>
        Entry(AuditEventType.LockCreated, accessLock.CreatedBy, accessLock.Kind == LockSubject.Agent ? accessLock.Subject : null,
            accessLock.Kind == LockSubject.Task ? accessLock.Subject : null, null, null, LockData(accessLock));

    public static AuditEntry LockLifted(string actor, AccessLock accessLock) =>
        Entry(AuditEventType.LockLifted, actor, accessLock.Kind == LockSubject.Agent ? accessLock.Subject : null,
            accessLock.Kind == LockSubject.Task ? accessLock.Subject : null, null, null, LockData(accessLock));

    /// <summary>A claim (or an automatic grant) refused by the issuance rule; nothing was minted.</summary>
    public static AuditEntry ClaimRefused(string actor, AccessRequest request, string code, string why) =>
        Entry(AuditEventType.ClaimRefused, actor, request.AgentId, request.TaskId, request.Id, null, new JsonObject { ["code"] = code, ["why"] = why });

    private static JsonObject LockData(AccessLock accessLock) => new()
    {
        ["lock"] = accessLock.Id,
        ["kind"] = accessLock.Kind.ToString().ToLowerInvariant(),
        ["subject"] = accessLock.Subject,
        ["reason"] = accessLock.Reason,
    };

    public static AuditEntry PrincipalRegistered(string actor, Principal principal) =>
        Entry(principal.Has(PrincipalRole.Agent) ? AuditEventType.AgentRegistered : AuditEventType.PrincipalRegistered, actor,
            principal.Has(PrincipalRole.Agent) ? principal.Id : null, null, null, null,
            new JsonObject { ["principal"] = principal.Id, ["roles"] = principal.Roles.ToString(), ["owner"] = principal.Owner });

    public static AuditEntry RequestReceived(AccessRequest request, string policyVersion) =>
        Entry(AuditEventType.RequestReceived, request.AgentId, request.AgentId, request.TaskId, request.Id, null, new JsonObject
        {
            ["target"] = request.Target,
            ["resources"] = Array(request.Resources),
            ["actions"] = Array(request.Actions),
            ["purpose"] = request.Purpose,
            ["requested_duration_seconds"] = (long)request.RequestedDuration.TotalSeconds,
            ["policy_version"] = policyVersion,
        });

    public static AuditEntry RequestAssessed(AccessRequest request, Assessment assessment) =>
        Entry(AuditEventType.RequestAssessed, "broker", request.AgentId, request.TaskId, request.Id, null, new JsonObject
        {
            ["analyzer"] = assessment.Analyzer,
            ["score"] = assessment.Score,
            ["decision"] = assessment.Decision.ToString(),
            ["factors"] = new JsonArray(assessment.Factors.Select(f => (JsonNode)new JsonObject { ["code"] = f.Code, ["points"] = f.Points, ["explanation"] = f.Explanation }).ToArray()),
            ["reasons"] = Array(assessment.Reasons),
            ["human_review_mode"] = assessment.HumanReviewMode,
        });

    public static AuditEntry RequestDecided(string actor, AccessRequest request, RequestStatus status, TimeSpan? grantedDuration, string why) =>
        Entry(AuditEventType.RequestDecided, actor, request.AgentId, request.TaskId, request.Id, null, new JsonObject
        {
            ["status"] = status.ToString(),
            ["granted_duration_seconds"] = grantedDuration is { } d ? (long)d.TotalSeconds : null,
            ["why"] = why,
        });

    public static AuditEntry ApprovalRequested(AccessRequest request, string group, IReadOnlyList<string> approvers, int quorum, DateTimeOffset expiresAt) =>
        Entry(AuditEventType.ApprovalRequested, "broker", request.AgentId, request.TaskId, request.Id, null, new JsonObject
        {
            ["approver_group"] = group,
            ["approvers"] = Array(approvers),
            ["quorum"] = quorum,
            ["expires_at"] = expiresAt.ToString("O"),
        });

    public static AuditEntry Vote(AccessRequest request, ApprovalVote vote, string type, string? rejection) =>
        Entry(type, vote.ApproverId, request.AgentId, request.TaskId, request.Id, null, new JsonObject
        {
            ["approve"] = vote.Approve,
            ["channel"] = vote.Channel,
            ["channel_identity"] = vote.ChannelIdentity,
            ["shorten_to_seconds"] = vote.Duration is { } d ? (long)d.TotalSeconds : null,
            ["comment"] = vote.Comment,
            ["voted_at"] = vote.At.ToString("O"),
            ["rejection"] = rejection,
        });

    public static AuditEntry Lease(string type, string actor, Lease lease, string? detail) =>
        Entry(type, actor, lease.AgentId, lease.TaskId, lease.RequestId, lease.Id, new JsonObject
        {
            ["target"] = lease.Target,
            ["provider"] = lease.Provider,
            ["resources"] = Array(lease.Resources),
            ["actions"] = Array(lease.Actions),
            ["expires_at"] = lease.ExpiresAt.ToString("O"),
            ["state"] = lease.State.ToString(),
            ["revocation_data"] = new JsonObject(lease.RevocationData.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)JsonValue.Create(kv.Value)))),
            ["attempts"] = lease.RevocationAttempts,
            ["detail"] = detail,
        });

    public static AuditEntry RevocationFallback(RevocationFallback fallback) =>
        Entry(AuditEventType.RevocationFallback, "broker", null, null, null, fallback.LeaseId, new JsonObject
        {
            ["provider"] = fallback.Provider,
            ["target"] = fallback.Target,
            ["reason"] = fallback.Reason,
            ["effect"] = fallback.Effect,
            ["at"] = fallback.At.ToString("O"),
        });

    /// <summary>A one-time console sign-in link was made for <paramref name="principalId"/> (the link itself is never recorded).</summary>
    public static AuditEntry ConsoleLinkIssued(string actor, string principalId, DateTimeOffset expiresAt) =>
        Entry(AuditEventType.ConsoleLinkIssued, actor, null, null, null, null, new JsonObject { ["principal"] = principalId, ["expires_at"] = expiresAt.ToString("O") });

    /// <summary>Someone signed in to the web console; <paramref name="method"/> is <c>link</c> or <c>oidc</c>.</summary>
    public static AuditEntry ConsoleSignedIn(string principalId, string method, string? externalSubject) =>
        Entry(AuditEventType.ConsoleSignedIn, principalId, null, null, null, null, new JsonObject { ["method"] = method, ["external_subject"] = externalSubject });

    private static AuditEntry Entry(string type, string actor, string? agentId, string? taskId, string? requestId, string? leaseId, JsonObject data) =>
        new(type, actor, agentId, taskId, requestId, leaseId, data);

    private static JsonArray Array(IEnumerable<string> values) => new(values.Select(v => (JsonNode)JsonValue.Create(v)!).ToArray());
}
