using AgentAccessBroker.Audit;
using AgentAccessBroker.Domain;
using AgentAccessBroker.Security;
using AgentAccessBroker.Storage;

namespace AgentAccessBroker.Brokering;

/// <summary>
/// Disables, enables and removes agents and people, and rotates their tokens. Cutting a principal off is one durable
/// transition (its status, its requests withdrawn, its leases marked due, the audit events) followed by revoking its
/// leases; the sweeps finish the revocation after a crash.
/// </summary>
public sealed class PrincipalLifecycle(IBrokerStore store, LeaseRevoker revoker, ApprovalDesk desk, TimeProvider time)
{
    /// <summary>What one status change did: leases revoked now, revocations that failed (and are retried), requests withdrawn.</summary>
    public sealed record Outcome(Principal Principal, int Revoked, int Failed, int Withdrawn);

    public Task<Outcome> DisableAsync(Principal caller, string id, string? reason, CancellationToken cancellationToken) =>
        SetStatusAsync(caller, id, PrincipalStatus.Disabled, reason, cancellationToken);

    public Task<Outcome> EnableAsync(Principal caller, string id, string? reason, CancellationToken cancellationToken) =>
        SetStatusAsync(caller, id, PrincipalStatus.Enabled, reason, cancellationToken);

    /// <summary>Removes a principal for good: its token stops working, its id stays reserved, and it cannot be enabled again.</summary>
    public Task<Outcome> RemoveAsync(Principal caller, string id, string? reason, CancellationToken cancellationToken) =>
        SetStatusAsync(caller, id, PrincipalStatus.Removed, reason, cancellationToken);

    /// <summary>Gives a principal a new token (shown once); the old one stops working at once.</summary>
    public async Task<(Principal Principal, string Token)> RotateTokenAsync(Principal caller, string id, DateTimeOffset? expiresAt, CancellationToken cancellationToken)
    {
        var principal = await store.GetPrincipalAsync(id, cancellationToken) ?? throw BrokerError.NotFound("principal", id);
        if (expiresAt is { } expiry && expiry <= time.GetUtcNow())
        {
            throw BrokerError.Invalid("invalid_expiry", "A token's expiry must be in the future.");
        }

        var token = TokenHasher.NewToken(principal.Has(PrincipalRole.Agent) ? "aaba" : "aabu");
        if (!await store.ReplaceTokenAsync(id, TokenHasher.Hash(token), expiresAt, AuditEntries.TokenRotated(caller.Id, principal, expiresAt), cancellationToken))
        {
            throw BrokerError.Conflict("principal_not_enabled", $"'{id}' is disabled or removed; enable it before giving it a new token.");
        }

        return (principal with { TokenExpiresAt = expiresAt }, token);
    }

    private async Task<Outcome> SetStatusAsync(Principal caller, string id, PrincipalStatus status, string? reason, CancellationToken cancellationToken)
    {
        if (reason is { Length: > 500 })
        {
            throw BrokerError.Invalid("invalid_reason", "A reason is at most 500 characters.");
        }

        var principal = await store.GetPrincipalAsync(id, cancellationToken) ?? throw BrokerError.NotFound("principal", id);
        if (status != PrincipalStatus.Enabled && caller.Id == id)
        {
            throw BrokerError.Conflict("cannot_cut_off_self", "You cannot disable or remove yourself; ask another admin.");
        }

        if (principal.Status == PrincipalStatus.Removed && status != PrincipalStatus.Removed)
        {
            throw BrokerError.Conflict("principal_removed", $"'{id}' was removed; register a new principal instead.");
        }

        var cut = await store.SetPrincipalStatusAsync(id, status, time.GetUtcNow(), caller.Id, AuditEntries.PrincipalStatusChanged(caller.Id, principal, status, reason), cancellationToken)
            ?? throw BrokerError.NotFound("principal", id);
        var (revoked, failed) = (0, 0);
        if (status != PrincipalStatus.Enabled && principal.Has(PrincipalRole.Agent))
        {
            await desk.ShowWithdrawnAsync(cut.Withdrawn, cancellationToken);
            (revoked, failed) = await revoker.RevokeAllAsync(new LeaseQuery(AgentId: id), caller.Id, $"principal {status.ToString().ToLowerInvariant()}", cancellationToken);
        }

        return new Outcome(principal with { Status = status }, revoked, failed, cut.Withdrawn.Count);
    }
}
