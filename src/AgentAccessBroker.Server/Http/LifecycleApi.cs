using AgentAccessBroker.Brokering;
using AgentAccessBroker.Client;
using AgentAccessBroker.Domain;
using AgentAccessBroker.Storage;

namespace AgentAccessBroker.Server.Http;

/// <summary>
/// Cutting principals and tasks off (admins only): disable, enable and remove agents and people, rotate tokens, lock
/// and unlock subjects, cancel tasks. Each is one audited transition in the store, followed by revocation of what it
/// cut off.
/// </summary>
internal static class LifecycleApi
{
    public static void Map(RouteGroupBuilder v1)
    {
        foreach (var (prefix, agents) in new[] { ("/agents", true), ("/principals", false) })
        {
            foreach (var action in new[] { "disable", "enable" })
            {
                v1.MapPost($"{prefix}/{{id}}/{action}", async (string id, PrincipalChangeBody? body, HttpContext http, IBrokerStore store, PrincipalLifecycle lifecycle, CancellationToken ct) =>
                {
                    await RequireKindAsync(store, id, agents, ct);
                    var outcome = action == "disable"
                        ? await lifecycle.DisableAsync(http.Caller(), id, body?.Reason, ct)
                        : await lifecycle.EnableAsync(http.Caller(), id, body?.Reason, ct);
                    return Results.Ok(View(outcome));
                }).RequireAuthorization(Roles.Admin).WithName($"{(agents ? "Agent" : "Principal")}{(action == "disable" ? "Disable" : "Enable")}");
            }

            v1.MapDelete($"{prefix}/{{id}}", async (string id, string? reason, HttpContext http, IBrokerStore store, PrincipalLifecycle lifecycle, CancellationToken ct) =>
            {
                await RequireKindAsync(store, id, agents, ct);
                return Results.Ok(View(await lifecycle.RemoveAsync(http.Caller(), id, reason, ct)));
            }).RequireAuthorization(Roles.Admin).WithName($"{(agents ? "Agent" : "Principal")}Remove");
        }

        v1.MapPost("/principals/{id}/token", async (string id, RotateTokenBody? body, HttpContext http, PrincipalLifecycle lifecycle, TimeProvider time, CancellationToken ct) =>
        {
            var (principal, token) = await lifecycle.RotateTokenAsync(http.Caller(), id, ExpiryOf(body?.ExpiresIn, time), ct);
            return Results.Ok(new RegisteredPrincipal(principal.Id, RoleNames(principal.Roles), principal.Owner, token));
        }).RequireAuthorization(Roles.Admin).WithName("RotateToken");

        v1.MapPost("/locks", async (LockBody body, HttpContext http, AccessLocks locks, CancellationToken ct) =>
        {
            var subjects = new[] { (LockSubject.Agent, body.Agent), (LockSubject.User, body.User), (LockSubject.Task, body.Task) }
                .Where(s => !string.IsNullOrEmpty(s.Item2)).ToList();
            if (subjects.Count != 1)
            {
                throw BrokerError.Invalid("invalid_lock_subject", "Name exactly one of agent, user or task to lock.");
            }

            var (kind, subject) = subjects[0];
            var outcome = await locks.LockAsync(http.Caller(), kind, subject!, body.Reason ?? string.Empty, ct);
            return Results.Created($"/v1/locks/{outcome.Lock.Id}", new LockedView(View(outcome.Lock), outcome.Revoked, outcome.Failed, outcome.Withdrawn));
        }).RequireAuthorization(Roles.Admin).WithName("CreateLock");

        v1.MapGet("/locks", async (bool? all, AccessLocks locks, CancellationToken ct) =>
            Results.Ok((await locks.ListAsync(all ?? false, ct)).Select(View).ToList())).RequireAuthorization(Roles.Admin).WithName("ListLocks");

        v1.MapDelete("/locks/{id}", async (string id, HttpContext http, AccessLocks locks, CancellationToken ct) =>
            Results.Ok(View(await locks.LiftAsync(http.Caller(), id, ct)))).RequireAuthorization(Roles.Admin).WithName("LiftLock");

        v1.MapPost("/tasks/{id}/cancel", async (string id, HttpContext http, TaskLifecycle tasks, CancellationToken ct) =>
        {
            var (task, already, revoked, failed) = await tasks.CancelAsync(http.Caller(), id, ct);
            return Results.Ok(new CompletedTask(Views.Of(task), already, revoked, failed));
        }).WithName("CancelTask");
    }

    /// <summary>A token's expiry from a lifetime such as <c>30d</c>; null without one.</summary>
    public static DateTimeOffset? ExpiryOf(string? lifetime, TimeProvider time) =>
        string.IsNullOrEmpty(lifetime) ? null : time.GetUtcNow() + EdgeInput.Duration(lifetime, "token lifetime");

    private static async Task RequireKindAsync(IBrokerStore store, string id, bool agent, CancellationToken ct)
    {
        var principal = await store.GetPrincipalAsync(id, ct);
        if (principal is null || principal.Has(PrincipalRole.Agent) != agent)
        {
            throw BrokerError.NotFound(agent ? "agent" : "principal", id);
        }
    }

    private static PrincipalChangeView View(PrincipalLifecycle.Outcome outcome) =>
        new(outcome.Principal.Id, outcome.Principal.Status.ToString().ToLowerInvariant(), outcome.Revoked, outcome.Failed, outcome.Withdrawn);

    private static LockView View(AccessLock l) => new(l.Id, l.Kind.ToString().ToLowerInvariant(), l.Subject, l.Reason, l.CreatedBy, l.CreatedAt, l.LiftedAt);

    private static List<string> RoleNames(PrincipalRole roles) =>
        Enum.GetValues<PrincipalRole>().Where(r => r != PrincipalRole.None && (roles & r) == r).Select(r => r.ToString().ToLowerInvariant()).ToList();
}
