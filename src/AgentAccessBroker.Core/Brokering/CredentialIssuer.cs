using AgentAccessBroker.Audit;
using AgentAccessBroker.Credentials;
using AgentAccessBroker.Domain;
using AgentAccessBroker.Policy;
using AgentAccessBroker.Storage;
using Microsoft.Extensions.Logging;

namespace AgentAccessBroker.Brokering;

/// <summary>
/// Mints the credential of a granted or approved request (<see cref="Issuance"/>), exactly once, on one path: plan the
/// lease, write its row durably with the request's decision or claim, schedule its revocation, mint, activate, or roll
/// back. Order matters for crash safety: nothing outside is touched before the row and the trigger are durable, so a
/// crash at any point leaves either nothing outside or a row the sweep will revoke.
/// </summary>
public sealed partial class CredentialIssuer(
    IBrokerStore store,
    IPolicySource policies,
    CredentialProviderRegistry providers,
    IRevocationScheduler scheduler,
    LeaseRevoker revoker,
    BrokerMetrics metrics,
    TimeProvider time,
    ILogger<CredentialIssuer> logger)
{
    /// <summary>
    /// How long the provider's mint may take before it is cancelled (and rolled back). Shorter than
    /// <see cref="RevocationSweep.MintingStaleAfter"/>, so that a lease the sweep finds still minting was interrupted.
    /// </summary>
    public static TimeSpan MintTimeout { get; } = TimeSpan.FromSeconds(45);

    /// <summary>
    /// Issues <paramref name="issuance"/>. A granted request is stored already issued, with its lease row, in the
    /// transaction that records its decision. An approved request is claimed if the issuance rule still allows it; a
    /// refusal withdraws it (with an audit event) and throws a 409 <see cref="BrokerError"/>, and a claim another caller
    /// won answers <see cref="RequestOutcome.AlreadyIssued"/>; nothing is minted for either.
    /// </summary>
    public async Task<RequestOutcome> IssueAsync(Issuance issuance, CancellationToken cancellationToken)
    {
        var (request, actor) = issuance;
        var task = issuance switch
        {
            Issuance.Granted granted => granted.Task,
            Issuance.Approved approved => approved.Task ?? await store.GetTaskAsync(request.TaskId, cancellationToken),
            _ => throw new ArgumentOutOfRangeException(nameof(issuance)),
        };
        if (issuance is Issuance.Approved)
        {
            var agent = await store.GetPrincipalAsync(request.AgentId, cancellationToken);
            var locks = await store.ListLocksAsync(false, cancellationToken);
            if (IssuanceRule.Check(request, task, agent, locks, policies.Current, request.DecidedAt, time.GetUtcNow()) is { } refusal)
            {
                throw await RefuseAsync(request, actor, refusal, cancellationToken);
            }
        }

        if (PlanLease(request, task) is not { } planned)
        {
            return await UnplannableAsync(issuance, cancellationToken);
        }

        // The provider's local work (a PostgreSQL login role's key derivation) runs on another core while this thread
        // writes the lease row and the trigger; the outside call waits for both.
        var preparation = planned.Provider is IMintPreparer preparer ? Task.Run(() => Prepare(preparer, planned.Target), CancellationToken.None) : null;
        var issued = planned.Issued(request);
        if (!await StoreLeaseRowAsync(issuance, issued, planned, cancellationToken))
        {
            return new RequestOutcome.AlreadyIssued(await store.GetRequestAsync(request.Id, cancellationToken) ?? request);
        }

        return await MintAsync(issued, planned, preparation, actor, cancellationToken);
    }

    /// <summary>
    /// Writes the lease row (<see cref="LeaseState.Minting"/>, with the provider's plan) in one transaction with the
    /// request as issued: for a grant, with its decision, history and audit events; for an approved request, as its
    /// claim, which exactly one caller wins (false for the others). The store checks the issuance rule's durable half
    /// (task, agent, locks) again inside that transaction.
    /// </summary>
    private async Task<bool> StoreLeaseRowAsync(Issuance issuance, AccessRequest issued, PlannedLease planned, CancellationToken cancellationToken)
    {
        var minting = planned.MintingEvent(issuance.Actor);
        if (issuance is Issuance.Granted { Record: var record })
        {
            await store.RecordRequestAsync(issued, record.Fold, planned.Lease, [.. record.Events, minting], cancellationToken);
            return true;
        }

        var claim = new RequestUpdate(RequestStatus.Issued, planned.Lease.CreatedAt, LeaseId: planned.Lease.Id);
        try
        {
            return await store.StartLeaseAsync(issued.Id, RequestStatus.Approved, claim, planned.Lease, minting, cancellationToken);
        }
        catch (BrokerError guard) when (guard.Kind == BrokerErrorKind.Conflict)
        {
            throw await RefuseAsync(issuance.Request, issuance.Actor, guard, cancellationToken);
        }
    }

    /// <summary>The target or its connector is gone from the configuration: the request fails, and nothing is minted.</summary>
    private async Task<RequestOutcome> UnplannableAsync(Issuance issuance, CancellationToken cancellationToken)
    {
        var request = issuance.Request;
        var failed = request with { Status = RequestStatus.Failed };
        if (issuance is Issuance.Granted { Record: var record })
        {
            // Stored with its decision (granted) and its failure, in one transaction.
            await store.RecordRequestAsync(failed, record.Fold, null, record.Events, cancellationToken);
        }
        else
        {
            await store.TransitionRequestAsync(request.Id, RequestStatus.Approved, new RequestUpdate(RequestStatus.Failed, time.GetUtcNow()), cancellationToken);
        }

        return new RequestOutcome.MintFailed(failed, "unknown_target", $"Target '{request.Target}' is no longer in the policy.");
    }

    /// <summary>
    /// Withdraws an approved request the issuance rule refused, keeping its decision time (so a later claim is refused
    /// for the same reason), with the refusal in the trail, and returns the refusal to throw.
    /// </summary>
    private async Task<BrokerError> RefuseAsync(AccessRequest request, string actor, BrokerError refusal, CancellationToken cancellationToken)
    {
        await store.TransitionRequestAsync(
            request.Id,
            RequestStatus.Approved,
            new RequestUpdate(RequestStatus.Withdrawn, request.DecidedAt ?? time.GetUtcNow()),
            [AuditEntries.ClaimRefused(actor, request, refusal.Code, refusal.Message), AuditEntries.RequestDecided(actor, request, RequestStatus.Withdrawn, null, refusal.Message)],
            cancellationToken);
        LogClaimRefused(logger, request.Id, refusal.Code);
        return refusal;
    }

    /// <summary>
    /// Decides the lease of a request about to be issued (id, end, the provider's revocation plan) without writing
    /// anything. Null when the target or its connector is no longer configured.
    /// </summary>
    private PlannedLease? PlanLease(AccessRequest request, BrokerTask? task)
    {
        var target = policies.Current.FindTarget(request.Target);
        if (target is null || !providers.TryGet(target.Connector, out var provider))
        {
            return null;
        }

        var leaseId = Ids.New("lease");
        var now = time.GetUtcNow();
        var notAfter = now + (request.GrantedDuration ?? request.RequestedDuration);
        if (task?.Deadline is { } deadline && deadline < notAfter)
        {
            notAfter = deadline;
        }

        var mint = new MintRequest(leaseId, request.TaskId, request.AgentId, target.Settings, request.Resources, request.Actions, now, notAfter);
        var plan = provider.Plan(mint);
        var lease = new Lease(leaseId, request.Id, request.TaskId, request.AgentId, request.Target, provider.Name, request.Resources, request.Actions,
            now, notAfter, LeaseState.Minting, TargetSnapshot.Attach(plan, target.Settings), 0, null, null, null, null);
        return new PlannedLease(lease, mint, plan, provider, target.Settings);
    }

    /// <summary>
    /// Asks the target's connector whether the request could be minted as asked (its actions and resources), before
    /// it is assessed or shown to anyone; a refusal is a <see cref="BrokerError"/> naming what is allowed. A target
    /// whose connector is not configured passes here: planning reports that.
    /// </summary>
    public void CheckMintable(TargetPolicy target, NewAccessRequest input, string agentId)
    {
        if (!providers.TryGet(target.Connector, out var provider))
        {
            return;
        }

        var now = time.GetUtcNow();
        try
        {
            provider.CheckRequest(new MintRequest("lease-check", "task-check", agentId, target.Settings, input.Resources, input.Actions, now, now + input.Duration));
        }
        catch (CredentialRequestException refused)
        {
            throw BrokerError.Invalid(refused.Code, refused.Message);
        }
    }

    /// <summary>
    /// With the lease row durable: schedules its revocation, then mints and activates the lease, or rolls everything
    /// back. Every credential that exists has its row and its scheduled end.
    /// </summary>
    /// <param name="preparation">The provider's local work, running since before the row was written; null when the provider has none.</param>
    private async Task<RequestOutcome> MintAsync(AccessRequest issued, PlannedLease planned, Task<Prepared>? preparation, string actor, CancellationToken cancellationToken)
    {
        var (lease, mint, plan, provider, target) = planned;
        try
        {
            await scheduler.ScheduleLeaseRevocationAsync(lease.Id, lease.ExpiresAt, cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return await RollBackAsync(issued, lease, provider, plan, target, exception, "scheduling_failed",
                "The broker could not schedule the credential's revocation, so it did not mint.", outsideTouched: false);
        }

        var prepared = preparation is null ? default : await preparation;
        if (prepared.Failure is { } unprepared)
        {
            metrics.RecordMint(provider.Name, prepared.Took, minted: false);
            return await RollBackAsync(issued, lease, provider, plan, target, unprepared, "mint_failed",
                $"The {provider.Name} connector could not prepare the credential.", outsideTouched: false);
        }

        MintResult result;
        var started = time.GetTimestamp();
        try
        {
            // A mint that outlives its timeout is cancelled and rolled back here, so that the sweep can take any lease
            // still minting after RevocationSweep.MintingStaleAfter for an interrupted one.
            using var timeout = new CancellationTokenSource(MintTimeout, time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            result = prepared.Value is { } value && provider is IMintPreparer preparer
                ? await preparer.MintPreparedAsync(mint, plan, value, linked.Token)
                : await provider.MintAsync(mint, plan, linked.Token);
            metrics.RecordMint(provider.Name, prepared.Took + time.GetElapsedTime(started), minted: true);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            metrics.RecordMint(provider.Name, prepared.Took + time.GetElapsedTime(started), minted: false);
            var (code, reason, nothingCreated) = exception switch
            {
                CredentialRequestException caller => (caller.Code, caller.Message, caller.NothingCreated),
                CredentialMintException failed => (failed.Code, failed.Message, failed.NothingCreated),
                _ => ("mint_failed", $"The {provider.Name} connector could not mint the credential.", false),
            };
            return await RollBackAsync(issued, lease, provider, plan, target, exception, code, reason, outsideTouched: !nothingCreated);
        }

        var active = lease with { State = LeaseState.Active, RevocationData = TargetSnapshot.Attach(result.RevocationData, target) };
        if (!await store.ActivateLeaseAsync(lease.Id, active.RevocationData,
                AuditEntries.Lease(AuditEventType.LeaseMinted, actor, active, $"credential {result.Credential.Kind} expires {result.ExpiresAt:O}; revocability {result.Revocability}"),
                CancellationToken.None))
        {
            return await UndoRevokedMintAsync(issued, lease, result.RevocationData, target);
        }

        LogMinted(logger, lease.Id, provider.Name, issued.AgentId, lease.ExpiresAt);
        return new RequestOutcome.Granted(issued, active, result);
    }

    private Prepared Prepare(IMintPreparer preparer, TargetSettings target)
    {
        var started = time.GetTimestamp();
        try
        {
            return new Prepared(preparer.Prepare(target), null, time.GetElapsedTime(started));
        }
        catch (Exception exception)
        {
            return new Prepared(null, exception, time.GetElapsedTime(started));
        }
    }

    /// <summary>
    /// The lease left <see cref="LeaseState.Minting"/> while the provider minted: a revocation (its task completed,
    /// or the sweep took the mint for an interrupted one) got there first, possibly before the credential existed to be
    /// revoked. The credential is revoked again and never handed out; if that fails, the lease goes back to the
    /// revocation retries so that it stays tracked.
    /// </summary>
    private async Task<RequestOutcome> UndoRevokedMintAsync(AccessRequest request, Lease lease, RevocationData minted, TargetSettings target)
    {
        const string Code = "lease_revoked";
        const string Reason = "The lease was revoked while its credential was being minted (for example, its task was completed); the credential was revoked and not handed out.";
        LogRevokedWhileMinting(logger, lease.Id);
        var now = time.GetUtcNow();
        try
        {
            await revoker.UndoMintAsync(lease, target, minted, CancellationToken.None);
            var current = await store.GetLeaseAsync(lease.Id, CancellationToken.None) ?? lease;
            await store.AppendAsync(AuditEntries.Lease(AuditEventType.LeaseMintFailed, "broker", current, $"{Code}: {Reason}"), CancellationToken.None);
        }
        catch (Exception cleanup) when (cleanup is not OperationCanceledException)
        {
            LogCleanupFailed(logger, cleanup, lease.Id);
            var error = $"{Code}: revoking the credential minted after the lease's revocation failed; retrying.";
            await store.TransitionLeaseAsync(lease.Id, [LeaseState.Revoking, LeaseState.Revoked],
                new LeaseUpdate(LeaseState.RevocationFailed, TargetSnapshot.Attach(minted, target), LastError: error, NextAttemptAt: now),
                [AuditEntries.Lease(AuditEventType.LeaseMintFailed, "broker", lease with { State = LeaseState.RevocationFailed }, error)], CancellationToken.None);
        }

        await store.TransitionRequestAsync(request.Id, RequestStatus.Issued, new RequestUpdate(RequestStatus.Failed, now), CancellationToken.None);
        return new RequestOutcome.MintFailed(await store.GetRequestAsync(request.Id, CancellationToken.None) ?? request, Code, Reason);
    }

    /// <param name="outsideTouched">Whether the provider's outside call was made, so that something may exist to undo.</param>
    private async Task<RequestOutcome> RollBackAsync(
        AccessRequest request, Lease lease, ICredentialProvider provider, RevocationData plan, TargetSettings target, Exception exception, string code, string reason,
        bool outsideTouched)
    {
        LogMintFailed(logger, exception, lease.Id, provider.Name);

        var state = LeaseState.MintFailed;
        string aftermath;
        DateTimeOffset? verifiedAt = null, usableUntil = null;
        try
        {
            // Undo whatever the failed mint may have created before reporting failure. A provider that knows nothing
            // was created says so, and then nothing is written outside: a refused request must leave no trace there
            // (for AWS, a deny entry for a session that never existed, which shrinks the room left for real ones).
            if (outsideTouched)
            {
                await revoker.UndoMintAsync(lease, target, plan, CancellationToken.None);
                aftermath = " Whatever the attempt may have created was revoked, and verified gone.";
                // What the attempt may have created can outlive the undo (a session AWS issued to a request that timed
                // out here, only denied): it is re-verified until it would have expired, like a revoked lease.
                verifiedAt = time.GetUtcNow();
                usableUntil = RevocationRecheck.UsableUntil(provider, new RevocationRequest(lease.Id, target, plan, lease.ExpiresAt, verifiedAt.Value), verifiedAt.Value);
            }
            else
            {
                aftermath = " Nothing was created.";
            }
        }
        catch (Exception cleanup) when (cleanup is not OperationCanceledException)
        {
            // Keep the lease live-but-failed so the sweep retries the cleanup until it succeeds.
            state = LeaseState.RevocationFailed;
            aftermath = " Revoking whatever the attempt may have created failed too; the broker keeps retrying.";
            LogCleanupFailed(logger, cleanup, lease.Id);
        }

        // A caller error says how to change the request; anything else may work on a later attempt.
        reason = reason.TrimEnd() + aftermath + (exception is CredentialRequestException ? string.Empty : " Try again later.");

        var now = time.GetUtcNow();
        await store.TransitionLeaseAsync(lease.Id, [LeaseState.Minting],
            new LeaseUpdate(state, LastError: $"{code}: {reason}", NextAttemptAt: state == LeaseState.RevocationFailed ? now : null, VerifiedAt: verifiedAt, UsableUntil: usableUntil),
            [AuditEntries.Lease(AuditEventType.LeaseMintFailed, "broker", lease with { State = state }, $"{code}: {reason}")], CancellationToken.None);
        await store.TransitionRequestAsync(request.Id, RequestStatus.Issued, new RequestUpdate(RequestStatus.Failed, now), CancellationToken.None);
        var failed = await store.GetRequestAsync(request.Id, CancellationToken.None) ?? request;
        return new RequestOutcome.MintFailed(failed, code, reason);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Refused to issue request {RequestId}: {Code}")]
    private static partial void LogClaimRefused(ILogger logger, string requestId, string code);

    [LoggerMessage(Level = LogLevel.Information, Message = "Minted lease {LeaseId} with {Provider} for agent {AgentId} until {NotAfter}")]
    private static partial void LogMinted(ILogger logger, string leaseId, string provider, string agentId, DateTimeOffset notAfter);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Minting lease {LeaseId} with {Provider} failed; rolling back")]
    private static partial void LogMintFailed(ILogger logger, Exception exception, string leaseId, string provider);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lease {LeaseId} was revoked while its credential was being minted; revoking the new credential")]
    private static partial void LogRevokedWhileMinting(ILogger logger, string leaseId);

    // A warning, not an error: the usual cause is the same unreachable target that failed the mint, and the sweep retries.
    [LoggerMessage(Level = LogLevel.Warning, Message = "Rolling back lease {LeaseId} failed; the revocation sweep will retry")]
    private static partial void LogCleanupFailed(ILogger logger, Exception exception, string leaseId);

    /// <summary>
    /// What a provider's local preparation produced (or why it failed) and how long it took. It may hold the
    /// credential's secret before the credential exists, so it never prints one.
    /// </summary>
    private readonly record struct Prepared(MintPreparation? Value, Exception? Failure, TimeSpan Took)
    {
        public override string ToString() => $"Prepared {{ Failed = {Failure is not null} }}";
    }
}
