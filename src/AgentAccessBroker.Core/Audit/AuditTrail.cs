using System.Text.Json.Nodes;
using AgentAccessBroker.Approvals;
using AgentAccessBroker.Decisions;
using AgentAccessBroker.Domain;

namespace AgentAccessBroker.Audit;

/// <summary>
/// Writes one typed audit event per broker step. Event data is built here from non-secret fields only, so no caller can
/// accidentally copy a credential into the trail.
/// </summary>
public sealed class AuditTrail(IAuditLog log)
{
    public Task<AuditEvent> TaskStartedAsync(string actor, BrokerTask task, CancellationToken cancellationToken) =>
        AppendAsync(AuditEventType.TaskStarted, actor, task.AgentId, task.Id, null, null, new JsonObject
        {
            ["description"] = task.Description,
            ["owner"] = task.Owner,
            ["scope_hints"] = Array(task.ScopeHints),
            ["environment"] = task.Environment,
            ["deadline"] = task.Deadline?.ToString("O"),
        }, cancellationToken);

    public Task<AuditEvent> TaskCompletedAsync(string actor, BrokerTask task, int leasesToRevoke, CancellationToken cancellationToken) =>
        AppendAsync(AuditEventType.TaskCompleted, actor, task.AgentId, task.Id, null, null, new JsonObject { ["leases_to_revoke"] = leasesToRevoke }, cancellationToken);

    public Task<AuditEvent> PrincipalRegisteredAsync(string actor, Principal principal, CancellationToken cancellationToken) =>
        AppendAsync(principal.Has(PrincipalRole.Agent) ? AuditEventType.AgentRegistered : AuditEventType.PrincipalRegistered, actor,
            principal.Has(PrincipalRole.Agent) ? principal.Id : null, null, null, null,
            new JsonObject { ["principal"] = principal.Id, ["roles"] = principal.Roles.ToString(), ["owner"] = principal.Owner }, cancellationToken);

    public Task<AuditEvent> RequestReceivedAsync(AccessRequest request, string policyVersion, CancellationToken cancellationToken) =>
        AppendAsync(AuditEventType.RequestReceived, request.AgentId, request.AgentId, request.TaskId, request.Id, null, new JsonObject
        {
            ["target"] = request.Target,
            ["resources"] = Array(request.Resources),
            ["actions"] = Array(request.Actions),
            ["purpose"] = request.Purpose,
            ["requested_duration_seconds"] = (long)request.RequestedDuration.TotalSeconds,
            ["policy_version"] = policyVersion,
        }, cancellationToken);

    public Task<AuditEvent> RequestAssessedAsync(AccessRequest request, Assessment assessment, CancellationToken cancellationToken) =>
        AppendAsync(AuditEventType.RequestAssessed, "broker", request.AgentId, request.TaskId, request.Id, null, new JsonObject
        {
            ["analyzer"] = assessment.Analyzer,
            ["score"] = assessment.Score,
            ["decision"] = assessment.Decision.ToString(),
            ["factors"] = new JsonArray(assessment.Factors.Select(f => (JsonNode)new JsonObject { ["code"] = f.Code, ["points"] = f.Points, ["explanation"] = f.Explanation }).ToArray()),
            ["reasons"] = Array(assessment.Reasons),
            ["human_review_mode"] = assessment.HumanReviewMode,
        }, cancellationToken);

    public Task<AuditEvent> RequestDecidedAsync(string actor, AccessRequest request, RequestStatus status, TimeSpan? grantedDuration, string why, CancellationToken cancellationToken) =>
        AppendAsync(AuditEventType.RequestDecided, actor, request.AgentId, request.TaskId, request.Id, null, new JsonObject
        {
            ["status"] = status.ToString(),
            ["granted_duration_seconds"] = grantedDuration is { } d ? (long)d.TotalSeconds : null,
            ["why"] = why,
        }, cancellationToken);

    public Task<AuditEvent> ApprovalRequestedAsync(AccessRequest request, string group, IReadOnlyList<string> approvers, int quorum, DateTimeOffset expiresAt, CancellationToken cancellationToken) =>
        AppendAsync(AuditEventType.ApprovalRequested, "broker", request.AgentId, request.TaskId, request.Id, null, new JsonObject
        {
            ["approver_group"] = group,
            ["approvers"] = Array(approvers),
            ["quorum"] = quorum,
            ["expires_at"] = expiresAt.ToString("O"),
        }, cancellationToken);

    public Task<AuditEvent> VoteAsync(AccessRequest request, ApprovalVote vote, string type, string? rejection, CancellationToken cancellationToken) =>
        AppendAsync(type, vote.ApproverId, request.AgentId, request.TaskId, request.Id, null, new JsonObject
        {
            ["approve"] = vote.Approve,
            ["channel"] = vote.Channel,
            ["channel_identity"] = vote.ChannelIdentity,
            ["shorten_to_seconds"] = vote.Duration is { } d ? (long)d.TotalSeconds : null,
            ["comment"] = vote.Comment,
            ["voted_at"] = vote.At.ToString("O"),
            ["rejection"] = rejection,
        }, cancellationToken);

    public Task<AuditEvent> LeaseAsync(string type, string actor, Lease lease, string? detail, CancellationToken cancellationToken) =>
        AppendAsync(type, actor, lease.AgentId, lease.TaskId, lease.RequestId, lease.Id, new JsonObject
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
        }, cancellationToken);

    private Task<AuditEvent> AppendAsync(string type, string actor, string? agentId, string? taskId, string? requestId, string? leaseId, JsonObject data, CancellationToken cancellationToken) =>
        log.AppendAsync(new AuditEntry(type, actor, agentId, taskId, requestId, leaseId, data), cancellationToken);

    private static JsonArray Array(IEnumerable<string> values) => new(values.Select(v => (JsonNode)JsonValue.Create(v)!).ToArray());
}
