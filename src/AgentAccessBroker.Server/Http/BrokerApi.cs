using AgentAccessBroker.Approvals;
using AgentAccessBroker.Brokering;
using AgentAccessBroker.Client;
using AgentAccessBroker.Domain;
using AgentAccessBroker.Policy;
using AgentAccessBroker.Security;
using AgentAccessBroker.Server.Audit;
using AgentAccessBroker.Storage;

namespace AgentAccessBroker.Server.Http;

/// <summary>The /v1 API. Every endpoint but /healthz needs a bearer token; agents see only their own tasks and leases.</summary>
internal static class BrokerApi
{
    public static void Map(WebApplication app)
    {
        app.MapGet("/healthz", async (IBrokerStore store, IPolicySource policies, CancellationToken ct) =>
        {
            await store.GetPrincipalAsync("healthz-probe", ct);
            return Results.Ok(new HealthView("ok", "ok", policies.Current.Source, policies.Current.Version));
        }).AllowAnonymous().WithName("Health");

        var v1 = app.MapGroup("/v1").RequireAuthorization();
        MapPrincipals(v1);
        MapTasks(v1);
        MapRequests(v1);
        MapLeases(v1);
        MapAudit(v1);
        EvidenceApi.Map(v1);
        LifecycleApi.Map(v1);
    }

    private static void MapPrincipals(RouteGroupBuilder v1)
    {
        v1.MapPost("/agents", async (RegisterAgentBody body, HttpContext http, PrincipalRegistry registry, TimeProvider time, CancellationToken ct) =>
        {
            var (principal, token) = await registry.RegisterAsync(
                http.Caller().Id, body.Id, PrincipalRole.Agent, body.Owner, LifecycleApi.ExpiryOf(body.TokenExpiresIn, time), ct);
            return Results.Created($"/v1/agents/{principal.Id}", new RegisteredPrincipal(principal.Id, ["agent"], principal.Owner, token));
        }).RequireAuthorization(Roles.Admin).WithName("RegisterAgent");

        v1.MapPost("/principals", async (RegisterPrincipalBody body, HttpContext http, PrincipalRegistry registry, TimeProvider time, CancellationToken ct) =>
        {
            var roles = PrincipalRole.None;
            foreach (var name in EdgeInput.List(body.Roles, "roles", 3, 16, required: true))
            {
                roles |= name switch
                {
                    "approver" => PrincipalRole.Approver,
                    "admin" => PrincipalRole.Admin,
                    "auditor" => PrincipalRole.Auditor,
                    _ => throw BrokerError.Invalid("invalid_role", $"Unknown role '{name}': use approver, admin or auditor (agents are registered with /v1/agents)."),
                };
            }

            if (roles == PrincipalRole.None)
            {
                throw BrokerError.Invalid("missing_roles", "Give at least one role: approver, admin or auditor.");
            }

            var (principal, token) = await registry.RegisterAsync(http.Caller().Id, body.Id, roles, null, LifecycleApi.ExpiryOf(body.TokenExpiresIn, time), ct);
            return Results.Created($"/v1/principals/{principal.Id}", new RegisteredPrincipal(principal.Id, body.Roles!, null, token));
        }).RequireAuthorization(Roles.Admin).WithName("RegisterPrincipal");
    }

    private static void MapTasks(RouteGroupBuilder v1)
    {
        v1.MapPost("/tasks", async (StartTaskBody body, HttpContext http, TaskLifecycle tasks, CancellationToken ct) =>
        {
            var hints = EdgeInput.List(body.ScopeHints, "scope_hints", EdgeInput.MaxScopeHints, EdgeInput.MaxScopeHintLength, required: false);
            var environment = EdgeInput.Optional(body.Environment, "environment", EdgeInput.MaxEnvironmentLength);
            var (task, token) = await tasks.StartAsync(http.Caller(), body.Agent ?? string.Empty, body.Description ?? string.Empty, hints, environment, body.Deadline, ct);
            return Results.Created($"/v1/tasks/{task.Id}", new StartedTask(Views.Of(task), token));
        }).RequireAuthorization(Roles.Admin).WithName("StartTask");

        v1.MapGet("/tasks", async (string? state, HttpContext http, IBrokerStore store, CancellationToken ct) =>
        {
            var caller = http.Caller();
            var filter = EdgeInput.TaskStateFilter(state);
            var tasks = await store.ListTasksAsync(caller.Has(PrincipalRole.Agent) ? caller.Id : null, filter, ct);
            return Results.Ok(tasks.Where(t => TaskLifecycle.MaySee(caller, t)).Select(Views.Of).ToList());
        }).WithName("ListTasks");

        v1.MapGet("/tasks/current", async (HttpContext http, IBrokerStore store, CancellationToken ct) =>
            Results.Ok(Views.Of(await TaskFromTokenAsync(http, http.Caller(), store, ct)))).RequireAuthorization(Roles.Agent).WithName("CurrentTask");

        v1.MapGet("/tasks/{id}", async (string id, HttpContext http, IBrokerStore store, CancellationToken ct) =>
            Results.Ok(Views.Of(await VisibleTaskAsync(id, http.Caller(), store, ct)))).WithName("GetTask");

        v1.MapPost("/tasks/{id}/complete", async (string id, HttpContext http, TaskLifecycle tasks, CancellationToken ct) =>
        {
            var (task, already, revoked, failed) = await tasks.CompleteAsync(http.Caller(), id, ct);
            return Results.Ok(new CompletedTask(Views.Of(task), already, revoked, failed));
        }).WithName("CompleteTask");
    }

    private static void MapRequests(RouteGroupBuilder v1)
    {
        v1.MapPost("/requests", async (AccessRequestBody body, HttpContext http, IBrokerStore store, AccessRequestIntake intake, TimeProvider time, CancellationToken ct) =>
        {
            var agent = http.Caller();
            var input = new NewAccessRequest(
                body.Target,
                EdgeInput.List(body.Resources, "resources", AccessRequestIntake.MaxResources, 512, required: true),
                EdgeInput.List(body.Actions, "actions", AccessRequestIntake.MaxActions, 256, required: true),
                body.Purpose ?? string.Empty,
                EdgeInput.Duration(body.Duration));
            var task = await TaskFromTokenAsync(http, agent, store, ct);
            var outcome = await intake.SubmitAsync(agent, task, input, body.DryRun, ct);
            return Results.Ok(Views.Of(outcome, time.GetUtcNow()));
        }).RequireAuthorization(Roles.Agent).WithName("SubmitRequest");

        v1.MapGet("/requests", async (string? status, string? task, string? cursor, int? limit, HttpContext http, IBrokerStore store, CancellationToken ct) =>
        {
            var caller = http.Caller();
            var filter = EdgeInput.RequestStatusFilter(status);
            var size = PageSize(limit);
            var requests = await store.ListRequestsAsync(new RequestQuery(AgentId: OwnOnly(caller), TaskId: task, Status: filter, Limit: size, After: cursor), ct);
            LinkNext(http, requests.Count == size ? ListCursor.Of(requests[^1].CreatedAt, requests[^1].Id) : null);
            return Results.Ok(requests.Select(Views.Of).ToList());
        }).WithName("ListRequests");

        v1.MapGet("/requests/{id}", async (string id, HttpContext http, IBrokerStore store, CancellationToken ct) =>
            Results.Ok(Views.Of(await VisibleRequestAsync(id, http.Caller(), store, ct)))).WithName("GetRequest");

        v1.MapPost("/requests/{id}/claim", async (string id, HttpContext http, AccessRequestIntake intake, TimeProvider time, CancellationToken ct) =>
            Results.Ok(Views.Of(await intake.CheckAsync(http.Caller(), id, ct), time.GetUtcNow()))).RequireAuthorization(Roles.Agent).WithName("ClaimRequest");

        v1.MapPost("/requests/{id}/approve", (string id, VoteBody? body, HttpContext http, ApprovalDesk desk, CancellationToken ct) =>
            VoteAsync(id, approve: true, body, http, desk, ct)).RequireAuthorization(Roles.Approver).WithName("ApproveRequest");

        v1.MapPost("/requests/{id}/deny", (string id, VoteBody? body, HttpContext http, ApprovalDesk desk, CancellationToken ct) =>
            VoteAsync(id, approve: false, body, http, desk, ct)).RequireAuthorization(Roles.Approver).WithName("DenyRequest");

        v1.MapGet("/targets", (HttpContext http, IPolicySource policies) =>
        {
            var caller = http.Caller();
            var policy = policies.Current;
            var agent = caller.Has(PrincipalRole.Agent) ? policy.FindAgent(caller.Id) : null;
            var visible = policy.Targets.Where(t => !caller.Has(PrincipalRole.Agent) || agent?.MayUse(t.Name) == true);
            return Results.Ok(visible.Select(t => Views.Of(t, policy)).ToList());
        }).WithName("ListTargets");
    }

    private static void MapLeases(RouteGroupBuilder v1)
    {
        v1.MapGet("/leases", async (string? task, string? state, string? cursor, int? limit, HttpContext http, IBrokerStore store, TimeProvider time, CancellationToken ct) =>
        {
            var caller = http.Caller();
            var states = EdgeInput.LeaseStateFilter(state);
            if (task is not null)
            {
                await VisibleTaskAsync(task, caller, store, ct);
            }

            var size = PageSize(limit);
            var leases = await store.ListLeasesAsync(new LeaseQuery(AgentId: OwnOnly(caller), TaskId: task, States: states, Limit: size, After: cursor), ct);
            LinkNext(http, leases.Count == size ? ListCursor.Of(leases[^1].CreatedAt, leases[^1].Id) : null);
            var now = time.GetUtcNow();
            return Results.Ok(leases.Select(l => Views.Of(l, now)).ToList());
        }).WithName("ListLeases");

        v1.MapGet("/leases/{id}", async (string id, HttpContext http, IBrokerStore store, TimeProvider time, CancellationToken ct) =>
            Results.Ok(Views.Of(await VisibleLeaseAsync(id, http.Caller(), store, ct), time.GetUtcNow()))).WithName("GetLease");

        v1.MapPost("/leases/{id}/release", async (string id, HttpContext http, IBrokerStore store, LeaseRevoker revoker, CancellationToken ct) =>
        {
            var caller = http.Caller();
            var lease = await VisibleLeaseAsync(id, caller, store, ct);
            var task = await store.GetTaskAsync(lease.TaskId, ct);
            if (task is not null && !TaskLifecycle.MayComplete(caller, task))
            {
                throw BrokerError.Forbidden("not_your_lease", "Only the lease's agent, the task owner or an admin can release it.");
            }

            var outcome = await revoker.RevokeAsync(id, caller.Id, "released", onlyIfDue: false, ct);
            var after = await store.GetLeaseAsync(id, ct) ?? lease;
            return Results.Ok(new ReleaseView(id, outcome.ToString().ToLowerInvariant(), after.State.ToString()));
        }).WithName("ReleaseLease");
    }

    private static void MapAudit(RouteGroupBuilder v1)
    {
        v1.MapGet("/audit/export", async (DateTimeOffset? from, DateTimeOffset? to, string? agent, string? task, string? format, HttpContext http, AuditExporter exporter, CancellationToken ct) =>
        {
            var kind = (format ?? "jsonl").ToLowerInvariant();
            if (kind is not ("jsonl" or "csv" or "ocsf"))
            {
                throw BrokerError.Invalid("invalid_format", "format is jsonl, csv or ocsf.");
            }

            http.Response.ContentType = kind == "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8";
            await exporter.ExportAsync(new AuditQuery(from, to, agent, task), kind, http.Response.Body, ct);
            return Results.Empty;
        }).RequireAuthorization(Roles.Auditor).WithName("ExportAudit");

        v1.MapGet("/audit/public-key", (AuditSigningKey key) => Results.Text(key.PublicKeyPem, "application/x-pem-file"))
            .RequireAuthorization(Roles.Auditor).WithName("AuditPublicKey");
    }

    private static async Task<IResult> VoteAsync(string id, bool approve, VoteBody? body, HttpContext http, ApprovalDesk desk, CancellationToken ct)
    {
        var duration = body?.Duration is { Length: > 0 } text ? EdgeInput.Duration(text) : (TimeSpan?)null;
        if (body?.Comment is { Length: > 2000 })
        {
            throw BrokerError.Invalid("comment_too_long", "A comment is at most 2000 characters.");
        }

        var result = await desk.VoteAsync(id, http.Caller().Id, approve, "api", null, duration, body?.Comment, ct);
        return result switch
        {
            VoteResult.Recorded r => Results.Ok(Vote("recorded", id, r.Status, approve ? "Your approval was recorded." : "Your denial was recorded.")),
            VoteResult.AlreadyDecided a => Results.Ok(Vote("already_decided", id, a.Status, "Nothing changed: the request was already decided or you already voted.")),
            VoteResult.Rejected j => Problems.Result(IssuanceRefusals.IsRefusal(j.Code) ? StatusCodes.Status409Conflict : StatusCodes.Status403Forbidden, j.Code, j.Reason),
            _ => Problems.Result(StatusCodes.Status404NotFound, "request_not_found", $"No request '{id}'."),
        };
    }

    private static VoteView Vote(string outcome, string id, ApprovalStatus status, string message) => new(
        outcome, id, status.Outcome?.ToString().ToLowerInvariant() ?? "pending",
        status.Votes.Where(v => v.Approve).Select(v => v.ApproverId).ToList(), status.Votes.Where(v => !v.Approve).Select(v => v.ApproverId).ToList(), message);

    private static async Task<BrokerTask> TaskFromTokenAsync(HttpContext http, Principal agent, IBrokerStore store, CancellationToken ct)
    {
        var token = http.Request.Headers[BrokerClient.TaskTokenHeader].ToString();
        if (string.IsNullOrEmpty(token))
        {
            throw BrokerError.Invalid("missing_task_token", $"Send the task token from 'aab task start' in the {BrokerClient.TaskTokenHeader} header.");
        }

        if (TokenKinds.IsBearerToken(token))
        {
            throw BrokerError.Invalid("bearer_token_as_task_token", $"An {TokenKinds.Describe(token)} was sent as the task token: send the task token (aabt_…) from 'aab task start' in the {BrokerClient.TaskTokenHeader} header.");
        }

        var task = await store.FindTaskByTokenHashAsync(TokenHasher.Hash(token), ct);
        if (task is null || task.AgentId != agent.Id)
        {
            throw BrokerError.Forbidden("invalid_task_token", "The task token is not valid for this agent.");
        }

        return task;
    }

    private static async Task<BrokerTask> VisibleTaskAsync(string id, Principal caller, IBrokerStore store, CancellationToken ct)
    {
        var task = await store.GetTaskAsync(id, ct) ?? throw BrokerError.NotFound("task", id);
        return TaskLifecycle.MaySee(caller, task) ? task : throw BrokerError.Forbidden("not_your_task", "This task belongs to another agent.");
    }

    private static async Task<AccessRequest> VisibleRequestAsync(string id, Principal caller, IBrokerStore store, CancellationToken ct)
    {
        var request = await store.GetRequestAsync(id, ct) ?? throw BrokerError.NotFound("request", id);
        return OwnOnly(caller) is { } own && request.AgentId != own
            ? throw BrokerError.Forbidden("not_your_request", "This request belongs to another agent.")
            : request;
    }

    private static async Task<Lease> VisibleLeaseAsync(string id, Principal caller, IBrokerStore store, CancellationToken ct)
    {
        var lease = await store.GetLeaseAsync(id, ct) ?? throw BrokerError.NotFound("lease", id);
        if (OwnOnly(caller) is { } own && lease.AgentId != own)
        {
            throw BrokerError.Forbidden("not_your_lease", "This lease belongs to another agent.");
        }

        return lease;
    }

    /// <summary>Rows per page of a listing: 500 unless the caller asks for 1 to 1000.</summary>
    private static int PageSize(int? limit) => limit switch
    {
        null => 500,
        >= 1 and <= 1000 => limit.Value,
        _ => throw BrokerError.Invalid("invalid_limit", "limit is 1 to 1000."),
    };

    /// <summary>
    /// A full page links to the next one (RFC 8288 <c>Link: &lt;…&gt;; rel="next"</c>): the same query with the page's
    /// cursor. A page shorter than its limit is the last; no listing is ever cut short silently.
    /// </summary>
    private static void LinkNext(HttpContext http, string? cursor)
    {
        if (cursor is null)
        {
            return;
        }

        var query = http.Request.Query.Where(q => q.Key != "cursor").Select(q => $"{Uri.EscapeDataString(q.Key)}={Uri.EscapeDataString(q.Value.ToString())}")
            .Append($"cursor={Uri.EscapeDataString(cursor)}");
        http.Response.Headers.Link = $"<{http.Request.Path}?{string.Join('&', query)}>; rel=\"next\"";
    }

    /// <summary>Agents are limited to their own records; people with a human role see everything they may act on.</summary>
    private static string? OwnOnly(Principal caller) =>
        caller.Has(PrincipalRole.Agent) && !caller.Has(PrincipalRole.Admin) && !caller.Has(PrincipalRole.Auditor) && !caller.Has(PrincipalRole.Approver) ? caller.Id : null;
}
