using AgentAccessBroker.Brokering;
using AgentAccessBroker.Domain;
using AgentAccessBroker.Policy;
using AgentAccessBroker.Server.Http;
using AgentAccessBroker.Storage;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace AgentAccessBroker.Server.WebConsole.Pages;

/// <summary>
/// Principals with their lifecycle actions (disable, enable, lock, unlock, rotate token: the same operations, checks and
/// audit events as the /v1 lifecycle API), and the policy in force with its load status and the problems of a refused
/// edit. Every action is confirmed on a second screen before its form is shown; a rotated token is shown once, in the
/// answer to the form, and kept nowhere.
/// </summary>
[Authorize(Policy = ConsolePolicies.Admin)]
public sealed class AdminModel(IBrokerStore store, IPolicySource policies, PolicyLoadStatus status, PrincipalLifecycle lifecycle, AccessLocks locks, TimeProvider time) : ConsolePageModel
{
    /// <summary>The actions a principal's row offers, each confirmed before it runs.</summary>
    public static readonly IReadOnlyList<string> Actions = ["disable", "enable", "lock", "unlock", "rotate"];

    public IReadOnlyList<Principal> Principals { get; private set; } = [];

    /// <summary>The locks in force on agents and people, by subject.</summary>
    public IReadOnlyDictionary<string, AccessLock> Locks { get; private set; } = new Dictionary<string, AccessLock>();

    public BrokerPolicy Policy => policies.Current;

    public PolicyLoadStatus Status => status;

    /// <summary>The action to confirm (<c>?confirm=disable&amp;subject=agent-a</c>): shows its form, changes nothing.</summary>
    [BindProperty(SupportsGet = true)] public string? Confirm { get; set; }

    [BindProperty(SupportsGet = true)] public string? Subject { get; set; }

    /// <summary>The principal the action to confirm is about; null when there is nothing to confirm.</summary>
    public Principal? Confirming { get; private set; }

    /// <summary>A token just rotated: shown in this answer only.</summary>
    public RotatedToken? Rotated { get; private set; }

    public Task OnGetAsync(CancellationToken cancellationToken) => LoadAsync(cancellationToken);

    public async Task OnPostDisableAsync(string id, string? reason, CancellationToken cancellationToken)
    {
        await RunAsync(async () => Describe("Disabled", await lifecycle.DisableAsync(Caller, id, Blank(reason), cancellationToken)));
        await LoadAsync(cancellationToken);
    }

    public async Task OnPostEnableAsync(string id, string? reason, CancellationToken cancellationToken)
    {
        await RunAsync(async () => Describe("Enabled", await lifecycle.EnableAsync(Caller, id, Blank(reason), cancellationToken)));
        await LoadAsync(cancellationToken);
    }

    public async Task OnPostLockAsync(string id, string? reason, CancellationToken cancellationToken)
    {
        await RunAsync(async () =>
        {
            var principal = await store.GetPrincipalAsync(id, cancellationToken) ?? throw BrokerError.NotFound("principal", id);
            var outcome = await locks.LockAsync(Caller, principal.Has(PrincipalRole.Agent) ? LockSubject.Agent : LockSubject.User, id, reason ?? string.Empty, cancellationToken);
            return $"Locked {id} ({outcome.Lock.Id}): {outcome.Revoked} lease(s) revoked, {outcome.Withdrawn} request(s) withdrawn"
                + (outcome.Failed > 0 ? $", {outcome.Failed} revocation(s) failed and will be retried." : ".");
        });
        await LoadAsync(cancellationToken);
    }

    public async Task OnPostUnlockAsync(string id, CancellationToken cancellationToken)
    {
        await RunAsync(async () =>
        {
            var held = (await locks.ListAsync(false, cancellationToken)).FirstOrDefault(l => l.Kind != LockSubject.Task && l.Subject == id)
                ?? throw BrokerError.Conflict("not_locked", $"No lock is in force on '{id}'.");
            await locks.LiftAsync(Caller, held.Id, cancellationToken);
            return $"Lifted lock {held.Id} on {id}.";
        });
        await LoadAsync(cancellationToken);
    }

    public async Task OnPostRotateAsync(string id, string? expiresIn, CancellationToken cancellationToken)
    {
        await RunAsync(async () =>
        {
            var (principal, token) = await lifecycle.RotateTokenAsync(Caller, id, LifecycleApi.ExpiryOf(Blank(expiresIn), time), cancellationToken);
            Rotated = new RotatedToken(principal.Id, token, principal.TokenExpiresAt);
            return $"Gave {principal.Id} a new token; the old one no longer works.";
        });
        await LoadAsync(cancellationToken);
    }

    public static string RolesOf(Principal principal) =>
        string.Join(", ", Enum.GetValues<PrincipalRole>().Where(r => r != PrincipalRole.None && principal.Has(r)).Select(r => r.ToString().ToLowerInvariant()));

    /// <summary>The actions that apply to <paramref name="principal"/> now (none on yourself but rotate, none on a removed principal).</summary>
    public IEnumerable<string> ActionsFor(Principal principal)
    {
        if (principal.Status == PrincipalStatus.Removed)
        {
            yield break;
        }

        var self = principal.Id == Caller.Id;
        if (principal.Status == PrincipalStatus.Enabled && !self)
        {
            yield return "disable";
        }

        if (principal.Status == PrincipalStatus.Disabled)
        {
            yield return "enable";
        }

        if (Locks.ContainsKey(principal.Id))
        {
            yield return "unlock";
        }
        else if (!self)
        {
            yield return "lock";
        }

        if (principal.Status == PrincipalStatus.Enabled)
        {
            yield return "rotate";
        }
    }

    /// <summary>What the action does to <paramref name="principal"/>, said before it is confirmed.</summary>
    public static string Consequence(string action, Principal principal) => (action, principal.Has(PrincipalRole.Agent)) switch
    {
        ("disable", true) => "Its token stops working, its requests waiting for approval are withdrawn and every live lease it holds is revoked now.",
        ("disable", false) => "Their token stops working and they can no longer sign in, vote or act until enabled again.",
        ("enable", _) => "The token it had before works again (a token rotated since, too); nothing revoked comes back.",
        ("lock", true) => "Every request, approval and claim by or for it is refused until the lock is lifted; its live leases are revoked now.",
        ("lock", false) => "Every call and vote of theirs is refused until the lock is lifted.",
        ("unlock", _) => "Later requests are allowed again; what the lock withdrew and revoked stays so.",
        ("rotate", _) => "A new token is made and shown once on the next screen; the old token stops working at once.",
        _ => string.Empty,
    };

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        Principals = (await store.ListPrincipalsAsync(cancellationToken)).OrderBy(p => p.Has(PrincipalRole.Agent)).ThenBy(p => p.Id, StringComparer.Ordinal).ToList();
        Locks = (await locks.ListAsync(false, cancellationToken)).Where(l => l.Kind != LockSubject.Task)
            .GroupBy(l => l.Subject, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        Confirming = Request.Method == HttpMethods.Get && Confirm is { } action && Principals.FirstOrDefault(p => p.Id == Subject) is { } principal && ActionsFor(principal).Contains(action)
            ? principal
            : null;
    }

    private static string Describe(string verb, PrincipalLifecycle.Outcome outcome) =>
        $"{verb} {outcome.Principal.Id}: {outcome.Revoked} lease(s) revoked, {outcome.Withdrawn} request(s) withdrawn"
        + (outcome.Failed > 0 ? $", {outcome.Failed} revocation(s) failed and will be retried." : ".");

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    /// <summary>A token shown once, in the answer to the form that made it.</summary>
    public sealed record RotatedToken(string Principal, string Token, DateTimeOffset? ExpiresAt);
}
