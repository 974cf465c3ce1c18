using System.Globalization;
using System.Text.Json.Nodes;
using AgentAccessBroker.Server.Audit;

namespace AgentAccessBroker.Server.Evidence;

/// <summary>
/// Everything a pack states, computed from its audit events alone: the tasks, requests, decisions and leases, the
/// exceptions and the summary figures. The writer renders it and the verifier computes it again from the pack's events,
/// so a report that disagrees with its events is found.
/// </summary>
public sealed class EvidenceModel
{
    /// <summary>How late a verified revocation may come after the lease's end before the lease counts as past its end.</summary>
    public static TimeSpan RevocationGrace { get; } = TimeSpan.FromSeconds(60);

    private readonly Dictionary<string, EvidenceTask> _tasks = new(StringComparer.Ordinal);
    private readonly Dictionary<string, EvidenceRequest> _requests = new(StringComparer.Ordinal);
    private readonly Dictionary<string, EvidenceLease> _leases = new(StringComparer.Ordinal);
    private readonly List<EvidenceException> _exceptions = [];
    private readonly List<(DateTimeOffset At, string Type, string Actor, string Detail)> _access = [];

    private EvidenceModel(DateTimeOffset asOf) => AsOf = asOf;

    /// <summary>The time the pack was made: leases not revoked by then are judged against it.</summary>
    public DateTimeOffset AsOf { get; }

    public IReadOnlyList<EvidenceTask> Tasks => [.. _tasks.Values.OrderBy(t => t.StartedAt).ThenBy(t => t.Id, StringComparer.Ordinal)];

    public IReadOnlyList<EvidenceRequest> Requests => [.. _requests.Values.OrderBy(r => r.ReceivedAt).ThenBy(r => r.Id, StringComparer.Ordinal)];

    public IReadOnlyList<EvidenceLease> Leases => [.. _leases.Values.OrderBy(l => l.PlannedAt ?? l.MintedAt).ThenBy(l => l.Id, StringComparer.Ordinal)];

    public IReadOnlyList<EvidenceException> Exceptions => _exceptions;

    /// <summary>Changes to who may have access (principals, tokens, locks) recorded in the pack.</summary>
    public IReadOnlyList<(DateTimeOffset At, string Type, string Actor, string Detail)> AccessChanges => _access;

    public IReadOnlyList<EvidenceFigure> Figures { get; private set; } = [];

    public static EvidenceModel Build(IEnumerable<AuditRecord> events, DateTimeOffset asOf)
    {
        var model = new EvidenceModel(asOf);
        foreach (var e in events.OrderBy(e => e.Sequence))
        {
            model.Apply(e);
        }

        model.Conclude();
        return model;
    }

    /// <summary>Every statement of the report that the verifier recomputes: the figures and the key fields of each request and lease.</summary>
    public IReadOnlyDictionary<string, string> Facts()
    {
        var facts = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var figure in Figures)
        {
            facts["figure." + figure.Key] = figure.Value;
        }

        foreach (var r in _requests.Values)
        {
            facts[$"request.{r.Id}.outcome"] = r.Outcome;
            facts[$"request.{r.Id}.score"] = r.Score?.ToString(CultureInfo.InvariantCulture) ?? "-";
            facts[$"request.{r.Id}.approvers"] = Approvers(r);
            facts[$"request.{r.Id}.decided_at"] = Time(r.DecidedAt);
        }

        foreach (var l in _leases.Values)
        {
            facts[$"lease.{l.Id}.minted_at"] = Time(l.MintedAt);
            facts[$"lease.{l.Id}.expires_at"] = Time(l.ExpiresAt);
            facts[$"lease.{l.Id}.revoked_at"] = Time(l.RevokedAt);
            facts[$"lease.{l.Id}.verified_at"] = Time(l.VerifiedAt);
            facts[$"lease.{l.Id}.past_end"] = l.PastEnd ? "yes" : "no";
        }

        return facts;
    }

    /// <summary>The approvers whose approval counted, with channel identity and time.</summary>
    public static string Approvers(EvidenceRequest request)
    {
        var approvals = request.Votes.Where(v => v.Rejection is null && v.Approve).ToList();
        return approvals.Count == 0 ? "-" : string.Join("; ", approvals.Select(v =>
            $"{v.ApproverId} via {v.Channel ?? "-"}{(v.ChannelIdentity is { Length: > 0 } id ? $" ({id})" : string.Empty)} at {Time(v.At)}"));
    }

    /// <summary>Times as the report shows them: UTC to the millisecond.</summary>
    public static string Time(DateTimeOffset? t) => t?.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture) ?? "-";

    /// <summary>Nearest-rank quantile (the smallest value with at least <paramref name="q"/> of the values at or below it).</summary>
    public static TimeSpan? Quantile(IReadOnlyList<TimeSpan> values, double q)
    {
        if (values.Count == 0)
        {
            return null;
        }

        var sorted = values.Order().ToList();
        var rank = (int)Math.Ceiling(q * sorted.Count);
        return sorted[Math.Clamp(rank, 1, sorted.Count) - 1];
    }

    private void Apply(AuditRecord e)
    {
        var at = DateTimeOffset.ParseExact(e.Timestamp, AuditRecord.TimestampFormat, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
        var data = JsonNode.Parse(e.Data) as JsonObject ?? [];
        switch (e.Type)
        {
            case "task.started":
                var started = Task(e.TaskId);
                started.AgentId = e.AgentId;
                started.Owner = Str(data, "owner");
                started.StartedBy = e.Actor;
                started.Description = Str(data, "description");
                started.Environment = Str(data, "environment");
                started.StartedAt = at;
                break;
            case "task.completed" or "task.cancelled" or "task.expired":
                var ended = Task(e.TaskId);
                if (ended.EndedAt is null)
                {
                    ended.EndedAt = at;
                    ended.EndedBy = e.Type;
                    ended.EndReason = Str(data, "reason");
                }

                break;
            case "request.received":
                var received = Request(e);
                received.ReceivedAt = at;
                received.Target = Str(data, "target");
                received.Resources = Strings(data, "resources");
                received.Actions = Strings(data, "actions");
                received.Purpose = Str(data, "purpose");
                received.RequestedSeconds = Long(data, "requested_duration_seconds");
                received.PolicyVersion = Str(data, "policy_version");
                break;
            case "request.assessed":
                var assessed = Request(e);
                assessed.Analyzer = Str(data, "analyzer");
                assessed.Score = (int?)Long(data, "score");
                assessed.AnalyzerDecision = Str(data, "decision");
                assessed.Reasons = Strings(data, "reasons");
                assessed.Factors = data["factors"] is JsonArray factors
                    ? [.. factors.OfType<JsonObject>().Select(f => new EvidenceFactor(Str(f, "code") ?? "-", (int)(Long(f, "points") ?? 0), Str(f, "explanation") ?? string.Empty))]
                    : [];
                break;
            case "approval.requested":
                var asked = Request(e);
                asked.ApprovalRequested = true;
                asked.ApproverGroup = Str(data, "approver_group");
                asked.Quorum = (int?)Long(data, "quorum");
                break;
            case "approval.voted" or "approval.rejected":
                var voted = Request(e);
                var vote = new EvidenceVote(e.Actor, data["approve"]?.GetValue<bool>() ?? false, Str(data, "channel"), Str(data, "channel_identity"),
                    Parse(Str(data, "voted_at")) ?? at, Str(data, "comment"), e.Type == "approval.rejected" ? Str(data, "rejection") ?? "rejected" : null);
                voted.Votes.Add(vote);
                if (vote.Rejection is not null)
                {
                    AddException(vote.Rejection == "self_approval" ? "self_approval_blocked" : "vote_rejected", at, e, $"{vote.ApproverId} tried to {(vote.Approve ? "approve" : "deny")}: {vote.Rejection}",
                        "the vote was refused and did not count", at);
                }

                break;
            case "approval.expired":
                AddException("approval_expired", at, e, "no approver decided in time", "the request was denied", at);
                break;
            case "request.decided":
                Decide(Request(e), e, data, at);
                break;
            case "request.claim_refused":
                var refused = Request(e);
                refused.ClaimRefused = $"{Str(data, "code")}: {Str(data, "why")}";
                AddException("claim_refused", at, e, refused.ClaimRefused, "nothing was minted", at);
                break;
            case "lease.minting":
                var planned = Lease(e, data);
                planned.PlannedAt ??= at;
                break;
            case "lease.minted":
                var minted = Lease(e, data);
                minted.MintedAt = at;
                minted.ExpiresAt = Parse(Str(data, "expires_at"));
                minted.MintDetail = Str(data, "detail");
                break;
            case "lease.mint_failed":
                var failed = Lease(e, data);
                failed.MintFailure = Str(data, "detail");
                failed.MintFailedAt = at;
                AddException("mint_failure", at, e, failed.MintFailure ?? "minting failed", "nothing was left outside: the mint was rolled back", at);
                break;
            case "lease.marked_due":
                Lease(e, data).MarkedDueAt ??= at;
                break;
            case "revocation.requested":
                var requested = Lease(e, data);
                requested.RevocationRequestedAt ??= at;
                requested.RevocationRequestedBy ??= e.Actor;
                requested.RevocationReason ??= Str(data, "detail");
                break;
            case "revocation.failed":
                var failure = Lease(e, data);
                failure.RevocationFailures.Add(new EvidenceRevocationFailure(at, (int)(Long(data, "attempts") ?? failure.RevocationFailures.Count + 1), Str(data, "detail")));
                break;
            case "revocation.done":
                Lease(e, data).RevokedAt ??= at;
                break;
            case "revocation.verified":
                var verified = Lease(e, data);
                verified.VerifiedAt ??= at;
                verified.Verification ??= Str(data, "detail");
                break;
            case "revocation.access_returned":
                // The lease is revoked again right after; the auditor still has to see that its access came back.
                AddException("revocation_access_returned", at, e, Str(data, "detail") ?? "re-verification found the access back", "revoked again (see the lease's later revocation events)", at);
                break;
            case "revocation.fallback":
                if (e.LeaseId is not null && _leases.TryGetValue(e.LeaseId, out var fallback))
                {
                    fallback.Fallbacks.Add($"{Str(data, "reason")}: {Str(data, "effect")}");
                    AddException("revocation_fallback", at, e, $"{Str(data, "reason")}", Str(data, "effect") ?? "-", at);
                }

                break;
            default:
                if (e.Type.StartsWith("principal.", StringComparison.Ordinal) || e.Type.StartsWith("lock.", StringComparison.Ordinal) || e.Type == "agent.registered")
                {
                    // A lock says what it stopped and why, as the admin wrote it (the report sanitises it like any untrusted text).
                    var subject = Str(data, "principal") ?? Str(data, "subject") ?? e.AgentId ?? e.TaskId ?? "-";
                    _access.Add((at, e.Type, e.Actor, e.Type.StartsWith("lock.", StringComparison.Ordinal) ? $"{Str(data, "kind")} {subject}: {Str(data, "reason")}" : subject));
                }

                break;
        }
    }

    private void Decide(EvidenceRequest request, AuditRecord e, JsonObject data, DateTimeOffset at)
    {
        var status = Str(data, "status");
        request.DecidedAt = at;
        request.DecidedBy = e.Actor;
        request.GrantedSeconds = Long(data, "granted_duration_seconds");
        request.Why = Str(data, "why");
        request.Outcome = status switch
        {
            "Approved" => request.ApprovalRequested ? EvidenceRequest.GrantedByApproval : EvidenceRequest.GrantedAutomatically,
            "Expired" => EvidenceRequest.Expired,
            "Withdrawn" => EvidenceRequest.Withdrawn,
            "Denied" when request.Votes.Any(v => v.Rejection is null && !v.Approve) => EvidenceRequest.DeniedByApprover,
            "Denied" when request.ApprovalRequested && e.Actor is "broker" or "scheduler" => EvidenceRequest.Withdrawn,
            "Denied" => EvidenceRequest.DeniedByPolicy,
            _ => request.Outcome,
        };
    }

    private void Conclude()
    {
        foreach (var lease in _leases.Values)
        {
            if (lease.RequestId is not null && _requests.TryGetValue(lease.RequestId, out var request) && !request.LeaseIds.Contains(lease.Id))
            {
                request.LeaseIds.Add(lease.Id);
            }

            if (!lease.WasMinted)
            {
                continue;
            }

            var task = lease.TaskId is null ? null : _tasks.GetValueOrDefault(lease.TaskId);
            var end = Earliest(lease.ExpiresAt, task?.EndedAt, lease.MarkedDueAt);
            lease.EndAt = end;
            var revoked = lease.VerifiedAt;
            lease.PastEnd = end is { } due && (revoked is { } r ? r - due > RevocationGrace : AsOf - due > RevocationGrace);
            // The cut-off is when access had to stop for a reason other than expiry: the task's end, or a lock or a
            // principal cut-off that marked the lease due.
            if (Earliest(task?.EndedAt, lease.MarkedDueAt) is { } cutOff && revoked is { } gone && gone >= cutOff && lease.MintedAt <= cutOff)
            {
                lease.TaskEndToRevocation = gone - cutOff;
            }

            if (lease.RevocationFailures.Count > 0)
            {
                var first = lease.RevocationFailures[0];
                var detail = $"{lease.RevocationFailures.Count} failed revocation attempt(s); last: {lease.RevocationFailures[^1].Detail}";
                _exceptions.Add(revoked is { } done
                    ? new EvidenceException("revocation_failure", Stamp(first.At), lease.TaskId, lease.RequestId, lease.Id, detail,
                        $"retried with backoff; revoked and verified after {lease.RevocationFailures.Count + 1} attempts ({lease.Verification})", Stamp(done))
                    : new EvidenceException("revocation_failure", Stamp(first.At), lease.TaskId, lease.RequestId, lease.Id, detail, "unresolved: still not revoked", null));
            }

            if (lease.PastEnd)
            {
                _exceptions.Add(new EvidenceException("lease_past_end", Stamp(end!.Value), lease.TaskId, lease.RequestId, lease.Id,
                    revoked is { } late ? $"revocation verified {Seconds(late - end.Value)} s after the lease's end" : $"not revoked {Seconds(AsOf - end.Value)} s after the lease's end",
                    revoked is null ? "unresolved" : "revoked late", revoked is { } v ? Stamp(v) : null));
            }
        }

        // Self-approval: an approval that counted, cast by the agent itself or by whoever it works for.
        foreach (var request in _requests.Values)
        {
            var task = request.TaskId is null ? null : _tasks.GetValueOrDefault(request.TaskId);
            foreach (var vote in request.Votes.Where(v => v.Rejection is null && v.Approve))
            {
                if (vote.ApproverId == request.AgentId || (task is not null && (vote.ApproverId == task.Owner || vote.ApproverId == task.StartedBy)))
                {
                    _exceptions.Add(new EvidenceException("self_approval", Stamp(vote.At), request.TaskId, request.Id, null,
                        $"{vote.ApproverId} approved a request of a task they own or started, or of their own agent", "unresolved: separation of duties was broken", null));
                }
            }
        }

        _exceptions.Sort((a, b) => string.CompareOrdinal(a.At, b.At) is var c && c != 0 ? c : string.CompareOrdinal(a.Kind + a.LeaseId + a.RequestId, b.Kind + b.LeaseId + b.RequestId));
        Figures = ComputeFigures();
    }

    private List<EvidenceFigure> ComputeFigures()
    {
        var requests = _requests.Values.ToList();
        var minted = _leases.Values.Where(l => l.WasMinted).ToList();
        var toRevocation = minted.Where(l => l.TaskEndToRevocation is not null).Select(l => l.TaskEndToRevocation!.Value).ToList();
        var failing = minted.Where(l => l.RevocationFailures.Count > 0).ToList();
        string N(int n) => n.ToString(CultureInfo.InvariantCulture);
        string S(TimeSpan? t) => t is { } v ? Seconds(v) : "n/a";
        return
        [
            new("tasks", "Tasks", N(_tasks.Count)),
            new("requests", "Access requests", N(requests.Count)),
            new("grants_automatic", "Grants decided automatically (within policy)", N(requests.Count(r => r.Outcome == EvidenceRequest.GrantedAutomatically))),
            new("grants_human", "Grants approved by a person", N(requests.Count(r => r.Outcome == EvidenceRequest.GrantedByApproval))),
            new("denials", "Denials (policy or approver)", N(requests.Count(r => r.IsDenial))),
            new("denials_by_policy", "  of which by policy or analyzer", N(requests.Count(r => r.Outcome == EvidenceRequest.DeniedByPolicy))),
            new("denials_by_approver", "  of which by an approver", N(requests.Count(r => r.Outcome == EvidenceRequest.DeniedByApprover))),
            new("approvals_expired", "Approvals nobody decided in time", N(requests.Count(r => r.Outcome == EvidenceRequest.Expired))),
            new("requests_withdrawn", "Requests withdrawn before a decision", N(requests.Count(r => r.Outcome == EvidenceRequest.Withdrawn))),
            new("claims_refused", "Claims refused at issue (locks, ended tasks, disabled principals)", N(requests.Count(r => r.ClaimRefused is not null))),
            new("leases_minted", "Credentials minted (leases)", N(minted.Count)),
            new("leases_revoked_verified", "Leases revoked and verified", N(minted.Count(l => l.VerifiedAt is not null))),
            new("leases_live", "Leases not revoked when the pack was made", N(minted.Count(l => l.VerifiedAt is null))),
            new("task_end_to_revocation_count", "Leases live at their task's end (or a lock)", N(toRevocation.Count)),
            new("task_end_to_revocation_median_s", "Median time from task end (or lock) to verified revocation (s)", S(Quantile(toRevocation, 0.5))),
            new("task_end_to_revocation_p99_s", "p99 time from task end (or lock) to verified revocation (s)", S(Quantile(toRevocation, 0.99))),
            new("leases_past_end", $"Leases past their end (revoked more than {RevocationGrace.TotalSeconds:0} s late, or not at all)", N(minted.Count(l => l.PastEnd))),
            new("revocation_failures", "Failed revocation attempts", N(minted.Sum(l => l.RevocationFailures.Count))),
            new("revocation_failures_resolved", "Leases whose revocation failed and was later verified", N(failing.Count(l => l.VerifiedAt is not null))),
            new("revocation_failures_unresolved", "Leases whose revocation failed and is still not verified", N(failing.Count(l => l.VerifiedAt is null))),
            new("mint_failures", "Mints that failed (rolled back)", N(_leases.Values.Count(l => l.MintFailure is not null))),
            new("self_approvals_blocked", "Self-approvals attempted and refused", N(_exceptions.Count(x => x.Kind == "self_approval_blocked"))),
            new("self_approvals", "Self-approvals found (must be 0)", N(_exceptions.Count(x => x.Kind == "self_approval"))),
            new("access_changes", "Principal, token and lock changes", N(_access.Count)),
        ];
    }

    private EvidenceTask Task(string? id)
    {
        id ??= "-";
        if (!_tasks.TryGetValue(id, out var task))
        {
            _tasks[id] = task = new EvidenceTask(id);
        }

        return task;
    }

    private EvidenceRequest Request(AuditRecord e)
    {
        var id = e.RequestId ?? "-";
        if (!_requests.TryGetValue(id, out var request))
        {
            _requests[id] = request = new EvidenceRequest(id) { TaskId = e.TaskId, AgentId = e.AgentId };
            if (e.TaskId is not null)
            {
                Task(e.TaskId);
            }
        }

        return request;
    }

    private EvidenceLease Lease(AuditRecord e, JsonObject data)
    {
        var id = e.LeaseId ?? "-";
        if (!_leases.TryGetValue(id, out var lease))
        {
            _leases[id] = lease = new EvidenceLease(id) { RequestId = e.RequestId, TaskId = e.TaskId, AgentId = e.AgentId };
        }

        lease.Target ??= Str(data, "target");
        lease.Provider ??= Str(data, "provider");
        if (lease.Resources.Count == 0)
        {
            lease.Resources = Strings(data, "resources");
            lease.Actions = Strings(data, "actions");
        }

        return lease;
    }

    private void AddException(string kind, DateTimeOffset at, AuditRecord e, string detail, string resolution, DateTimeOffset? resolvedAt) =>
        _exceptions.Add(new EvidenceException(kind, Stamp(at), e.TaskId, e.RequestId, e.LeaseId, detail, resolution, resolvedAt is { } r ? Stamp(r) : null));

    private static DateTimeOffset? Earliest(params DateTimeOffset?[] times)
    {
        DateTimeOffset? earliest = null;
        foreach (var t in times)
        {
            if (t is { } value && (earliest is null || value < earliest))
            {
                earliest = value;
            }
        }

        return earliest;
    }

    internal static string Stamp(DateTimeOffset t) => t.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

    internal static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture);

    private static string? Str(JsonObject data, string name) => data[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static long? Long(JsonObject data, string name) => data[name] is JsonValue v && v.TryGetValue<long>(out var n) ? n : null;

    private static DateTimeOffset? Parse(string? text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var t) ? t : null;

    private static List<string> Strings(JsonObject data, string name) =>
        data[name] is JsonArray a ? [.. a.Select(n => n is JsonValue v && v.TryGetValue<string>(out var s) ? s : n?.ToJsonString() ?? string.Empty)] : [];
}
