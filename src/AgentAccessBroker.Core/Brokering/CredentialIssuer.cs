using AgentAccessBroker.Audit;
using AgentAccessBroker.Credentials;
using AgentAccessBroker.Domain;
using AgentAccessBroker.Policy;
using AgentAccessBroker.Storage;
using Microsoft.Extensions.Logging;

namespace AgentAccessBroker.Brokering;

/// <summary>
/// Mints the credential for an approved request, exactly once. Order matters for crash safety: claim the request,
/// write the lease row with the provider's plan, schedule its revocation, and only then call the outside system.
/// A crash at any point leaves either nothing outside or a row the sweep will revoke.
/// </summary>
public sealed partial class CredentialIssuer(
    IBrokerStore store,
    IPolicySource policies,
    CredentialProviderRegistry providers,
    IRevocationScheduler scheduler,
    LeaseRevoker revoker,
    ParallelStarter parallel,
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
    /// Mints the credential of a request a human approved (the agent claims it), exactly once, if the issuance rule
    /// still allows it. A refusal withdraws the request (with an audit event) and throws a 409 <see cref="BrokerError"/>;
    /// nothing is minted.
    /// </summary>
    /// <param name="task">The request's task when the caller has it at hand; read from the store when null.</param>
    public async Task<RequestOutcome> IssueAsync(AccessRequest request, BrokerTask? task, string actor, CancellationToken cancellationToken)
    {
        task ??= await store.GetTaskAsync(request.TaskId, cancellationToken);
        var agent = await store.GetPrincipalAsync(request.AgentId, cancellationToken);
        var locks = await store.ListLocksAsync(false, cancellationToken);
        if (IssuanceRule.Check(request, task, agent, locks, policies.Current, request.DecidedAt, time.GetUtcNow()) is { } refusal)
        {
            throw await RefuseAsync(request, actor, refusal, cancellationToken);
        }

        if (PlanLease(request, task) is not { } planned)
        {
            await store.TransitionRequestAsync(request.Id, RequestStatus.Approved, new RequestUpdate(RequestStatus.Failed, time.GetUtcNow()), cancellationToken);
            return new RequestOutcome.MintFailed(request, "unknown_target", $"Target '{request.Target}' is no longer in the policy.");
        }

        // Claim the request and write the lease row with its plan in one transaction, before anything exists outside:
        // exactly one caller wins the claim, and a crash from here on leaves a row the sweep will clean up. The store
        // checks the rule's durable half (task, agent, locks) again inside that transaction.
        var issued = planned.Issued(request);
        var claim = new RequestUpdate(RequestStatus.Issued, issued.DecidedAt!.Value, LeaseId: planned.Lease.Id);
        RequestOutcome? outcome;
        try
        {
            outcome = await StoreAndMintAsync(
                issued, planned, () => store.StartLeaseAsync(request.Id, RequestStatus.Approved, claim, planned.Lease, planned.MintingEvent(actor), cancellationToken), null, actor, cancellationToken);
        }
        catch (BrokerError guard) when (guard.Kind == BrokerErrorKind.Conflict)
        {
            throw await RefuseAsync(request, actor, guard, cancellationToken);
        }

        return outcome ?? new RequestOutcome.AlreadyIssued(await store.GetRequestAsync(request.Id, cancellationToken) ?? request);
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
    public PlannedLease? PlanLease(AccessRequest request, BrokerTask? task)
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
    /// Starts the provider's local preparation of a credential for <paramref name="target"/> (for a PostgreSQL login
    /// role, its password and SCRAM verifier: about 3 ms of CPU) on one of the broker's start threads, so that it
    /// overlaps the caller's own work before the mint: looking up the task, reading the history, assessing, writing the
    /// lease row. A request that is not granted drops it. Null when the target's connector is not configured (planning reports that).
    /// </summary>
    public Task<CredentialPreparation>? StartPreparation(TargetPolicy target) =>
        providers.TryGet(target.Connector, out var provider) ? parallel.Run(() => Prepare(provider, target.Settings)) : null;

    /// <summary>
    /// Stores the lease row (<paramref name="storeLeaseRow"/>: the transaction that writes it in
    /// <see cref="LeaseState.Minting"/> with its request issued), schedules its revocation, then mints and activates
    /// the lease, or rolls everything back. The provider's local preparation (<paramref name="preparation"/>, started
    /// with <see cref="StartPreparation"/>; started here when null) runs on another thread meanwhile; the provider's
    /// outside call comes only after the row and the trigger are durable, so every credential that exists has its row
    /// and its scheduled end. Null, with nothing minted, when the transaction reports that another caller won the claim.
    /// </summary>
    public async Task<RequestOutcome?> StoreAndMintAsync(
        AccessRequest issued, PlannedLease planned, Func<Task<bool>> storeLeaseRow, Task<CredentialPreparation>? preparation, string actor, CancellationToken cancellationToken)
    {
        var (lease, mint, plan, provider, target) = planned;
        preparation ??= parallel.Run(() => Prepare(provider, target));
        if (!await storeLeaseRow())
        {
            return null;
        }

        try
        {
            await scheduler.ScheduleLeaseRevocationAsync(lease.Id, lease.ExpiresAt, cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return await RollBackAsync(issued, lease, provider, plan, target, exception, "scheduling_failed",
                "The broker could not schedule the credential's revocation, so it did not mint.", outsideTouched: false);
        }

        var prepared = await preparation;
        if (!ReferenceEquals(prepared.Provider, provider) || !ReferenceEquals(prepared.Target, target))
        {
            // The policy was reloaded since the request arrived: prepare again for the target as planned.
            prepared = Prepare(provider, target);
        }

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
            result = await provider.MintAsync(mint, plan, prepared.Prepared!, linked.Token);
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

    private CredentialPreparation Prepare(ICredentialProvider provider, TargetSettings target)
    {
        var started = time.GetTimestamp();
        try
        {
            return new CredentialPreparation(provider, target, provider.Prepare(target), null, time.GetElapsedTime(started));
        }
        catch (Exception exception)
        {
            return new CredentialPreparation(provider, target, null, exception, time.GetElapsedTime(started));
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
        try
        {
            // Undo whatever the failed mint may have created before reporting failure. A provider that knows nothing
            // was created says so, and then nothing is written outside: a refused request must leave no trace there
            // (for AWS, a deny entry for a session that never existed, which shrinks the room left for real ones).
            if (outsideTouched)
            {
                await revoker.UndoMintAsync(lease, target, plan, CancellationToken.None);
                aftermath = " Whatever the attempt may have created was revoked, and verified gone.";
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
        await store.TransitionLeaseAsync(lease.Id, [LeaseState.Minting], new LeaseUpdate(state, LastError: $"{code}: {reason}", NextAttemptAt: state == LeaseState.RevocationFailed ? now : null),
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
}
