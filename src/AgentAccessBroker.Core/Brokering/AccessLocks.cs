using AgentAccessBroker.Audit;
using AgentAccessBroker.Domain;
using AgentAccessBroker.Storage;

namespace AgentAccessBroker.Brokering;

/// <summary>
/// Locks on an agent, a person or a task. Locking is one durable transition (the lock, the subject's requests
/// withdrawn and leases marked due, the audit events), then the revocation of the subject's live leases; from the
/// lock on, every request, approval and claim by or for the subject is refused, and a locked principal's token
/// authenticates nobody. A person holds no leases: locking one cuts off their calls and votes.
/// </summary>
public sealed class AccessLocks(IBrokerStore store, LeaseRevoker revoker, ApprovalDesk desk, TimeProvider time)
{
    /// <summary>What locking did: the lock, leases revoked now, revocations that failed (and are retried), requests withdrawn.</summary>
    public sealed record Outcome(AccessLock Lock, int Revoked, int Failed, int Withdrawn);

    public async Task<Outcome> LockAsync(Principal caller, LockSubject kind, string subject, string reason, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(reason) || reason.Length > 500)
        {
            throw BrokerError.Invalid("invalid_reason", "Say why in 1 to 500 characters: the reason is shown to whoever the lock stops.");
        }

        if (kind != LockSubject.Task && subject == caller.Id)
        {
            throw BrokerError.Conflict("cannot_cut_off_self", "You cannot lock yourself; ask another admin.");
        }

        await RequireSubjectAsync(kind, subject, cancellationToken);
        var accessLock = new AccessLock(Ids.New("lock"), kind, subject, reason.Trim(), caller.Id, time.GetUtcNow(), null);
        var cut = await store.CreateLockAsync(accessLock, AuditEntries.LockCreated(accessLock), cancellationToken);
        await desk.ShowWithdrawnAsync(cut.Withdrawn, cancellationToken);
        var (revoked, failed) = kind switch
        {
            LockSubject.Agent => await revoker.RevokeAllAsync(new LeaseQuery(AgentId: subject), caller.Id, $"lock {accessLock.Id}", cancellationToken),
            LockSubject.Task => await revoker.RevokeAllAsync(new LeaseQuery(TaskId: subject), caller.Id, $"lock {accessLock.Id}", cancellationToken),
            _ => (0, 0),
        };
        return new Outcome(accessLock, revoked, failed, cut.Withdrawn.Count);
    }

    /// <summary>Lifts a lock. What it withdrew and revoked stays so; only later requests are allowed again.</summary>
    public async Task<AccessLock> LiftAsync(Principal caller, string id, CancellationToken cancellationToken)
    {
        var held = (await store.ListLocksAsync(true, cancellationToken)).FirstOrDefault(l => l.Id == id) ?? throw BrokerError.NotFound("lock", id);
        var now = time.GetUtcNow();
        if (!await store.LiftLockAsync(id, now, AuditEntries.LockLifted(caller.Id, held), cancellationToken))
        {
            throw BrokerError.Conflict("lock_already_lifted", $"Lock '{id}' was already lifted.");
        }

        return held with { LiftedAt = now };
    }

    public Task<IReadOnlyList<AccessLock>> ListAsync(bool includeLifted, CancellationToken cancellationToken) => store.ListLocksAsync(includeLifted, cancellationToken);

    private async Task RequireSubjectAsync(LockSubject kind, string subject, CancellationToken cancellationToken)
    {
        if (kind == LockSubject.Task)
        {
            _ = await store.GetTaskAsync(subject, cancellationToken) ?? throw BrokerError.NotFound("task", subject);
            return;
        }

        var principal = await store.GetPrincipalAsync(subject, cancellationToken);
        if (principal is null || principal.Has(PrincipalRole.Agent) != (kind == LockSubject.Agent))
        {
            throw BrokerError.NotFound(kind == LockSubject.Agent ? "agent" : "user", subject);
        }
    }
}
