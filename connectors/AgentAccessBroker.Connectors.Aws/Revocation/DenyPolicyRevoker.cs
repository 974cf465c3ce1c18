using System.Globalization;
using AgentAccessBroker.Connectors.Aws.Iam;
using AgentAccessBroker.Credentials;
using Microsoft.Extensions.Logging;

namespace AgentAccessBroker.Connectors.Aws.Revocation;

/// <summary>Adds sessions to, prunes, and reads back a role's <c>aab-revoked-sessions</c> policy.</summary>
/// <remarks>
/// PutRolePolicy replaces the whole document, so every write is a read-modify-write under the role's
/// <see cref="RoleGate"/>. The gate cannot stop a write that got no answer (a timeout, a dropped connection) from
/// reaching IAM later and replacing a document written after it, which would silently drop the later entries. So after
/// such a write the revoker remembers, per role, every session it writes until <see cref="LateWriteWindow"/> after the
/// unanswered request was signed (a SigV4 request is refused once its signing time is five minutes old); when that
/// moment has passed, it re-reads the policy and re-adds whatever is missing.
/// </remarks>
internal sealed class DenyPolicyRevoker(
    IamQueryClient iam,
    BrokerCredentials broker,
    AwsResilience resilience,
    RoleGate gate,
    TimeProvider time,
    ILogger logger,
    TimeSpan lateWriteWindow) : IDisposable
{
    private readonly Lock _lateGate = new();
    private readonly Dictionary<string, LateWrites> _late = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>How long after it was sent an unanswered write may still land.</summary>
    public TimeSpan LateWriteWindow => lateWriteWindow;

    /// <summary>Completes when no role has an unanswered write outstanding any more (for tests and shutdown).</summary>
    public Task SettledAsync()
    {
        lock (_lateGate)
        {
            return Task.WhenAll(_late.Values.Select(l => l.Settling ?? Task.CompletedTask).ToList());
        }
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _stopping.Dispose();
    }

    public async Task<RevokeOutcome> RevokeAsync(IamEndpoint endpoint, int maxChars, RevokedSession session, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (IsExpired(session, now))
        {
            // Checked before any IAM call: expired credentials are refused by AWS itself, so an unreadable or
            // unwritable policy must not keep such a lease failing forever.
            return new RevokeOutcome(RevokeOutcomeKind.AlreadyExpired, 0, 0, null, null);
        }

        await using var held = (await gate.EnterAsync(session.RoleArn, cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
        return await RevokeHeldAsync(endpoint, maxChars, session, cancellationToken).ConfigureAwait(false);
    }

    private async Task<RevokeOutcome> RevokeHeldAsync(IamEndpoint endpoint, int maxChars, RevokedSession session, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var policy = RevokedSessionsPolicy.Parse(await ReadAsync(endpoint, session, cancellationToken).ConfigureAwait(false));
        var pruned = policy.Prune(now);
        if (policy.Covers(session) is not DenyCoverage.None)
        {
            if (pruned > 0)
            {
                await WriteAsync(endpoint, maxChars, session, policy, cancellationToken).ConfigureAwait(false);
                AwsLog.Pruned(logger, session.RoleArn, pruned, policy.IsEmpty);
            }

            return new RevokeOutcome(RevokeOutcomeKind.AlreadyCovered, policy.ListedCount, pruned, null, null);
        }

        policy.Add(session);
        string? fallbackReason = null;
        var size = RevokedSessionsPolicy.IamSize(policy.ToJson());
        if (size > maxChars)
        {
            fallbackReason = $"listing {policy.ListedCount} revoked sessions would take {size.ToString(CultureInfo.InvariantCulture)} characters, over the {maxChars.ToString(CultureInfo.InvariantCulture)} budget for this role's deny policy";
            policy.CollapseToRoleWide(IssuedBefore(now), session.Expiry);
        }

        try
        {
            await WriteAsync(endpoint, maxChars, session, policy, cancellationToken).ConfigureAwait(false);
        }
        catch (IamException e) when (e.Error == IamErrorCode.LimitExceeded && fallbackReason is null)
        {
            // Other inline policies on the role share IAM's 10,240-character limit and the broker cannot see them.
            fallbackReason = "IAM refused the longer list (LimitExceeded): the role's inline policies together would exceed 10,240 characters";
            policy.CollapseToRoleWide(IssuedBefore(now), session.Expiry);
            await WriteAsync(endpoint, maxChars, session, policy, cancellationToken).ConfigureAwait(false);
        }

        return fallbackReason is null
            ? new RevokeOutcome(RevokeOutcomeKind.Listed, policy.ListedCount, pruned, null, null)
            : new RevokeOutcome(RevokeOutcomeKind.RoleWideFallback, 0, pruned, policy.RoleWide!.Value.IssuedBefore, fallbackReason);
    }

    public async Task<VerificationResult> VerifyAsync(IamEndpoint endpoint, RevokedSession session, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (IsExpired(session, now))
        {
            return new VerificationResult(true, $"The STS credentials expired at {AwsRevocationData.Format(session.Expiry)}; AWS refuses them from then on.");
        }

        var document = await ReadAsync(endpoint, session, cancellationToken).ConfigureAwait(false);
        if (document is null)
        {
            return new VerificationResult(false, $"Role {session.RoleArn} has no inline policy {RevokedSessionsPolicy.PolicyName}, so nothing denies session {session.UserIdPattern}.");
        }

        return RevokedSessionsPolicy.Parse(document).Covers(session) switch
        {
            DenyCoverage.Listed listed => new VerificationResult(
                true,
                $"Inline policy {RevokedSessionsPolicy.PolicyName} on role {session.RoleArn} (read back with GetRolePolicy) denies every action to aws:userid {session.UserIdPattern} "
                + $"in statement {listed.Sid}, kept until {AwsRevocationData.Format(listed.Until)}. IAM can take a few minutes to apply it everywhere."),
            DenyCoverage.RoleWide wide => new VerificationResult(
                true,
                $"Inline policy {RevokedSessionsPolicy.PolicyName} on role {session.RoleArn} (read back with GetRolePolicy) denies every session of the role issued before "
                + $"{AwsRevocationData.Format(wide.IssuedBefore)} (role-wide fallback, statement {wide.Sid}), which includes session {session.UserIdPattern}. IAM can take a few minutes to apply it everywhere."),
            _ => new VerificationResult(false, $"Inline policy {RevokedSessionsPolicy.PolicyName} on role {session.RoleArn} does not deny session {session.UserIdPattern}."),
        };
    }

    private static bool IsExpired(RevokedSession session, DateTimeOffset now) => session.Expiry + RevokedSessionsPolicy.ClockSkew <= now;

    // The whole second after now: TokenIssueTime has second precision, and the revoked session was issued before now.
    private static DateTimeOffset IssuedBefore(DateTimeOffset now) =>
        new DateTimeOffset(now.UtcTicks - (now.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero).AddSeconds(1);

    private Task<string?> ReadAsync(IamEndpoint endpoint, RevokedSession session, CancellationToken cancellationToken) =>
        resilience.ExecuteAsync(
            "iam:GetRolePolicy",
            async ct => await iam.GetRolePolicyAsync(endpoint, await broker.GetAsync(ct).ConfigureAwait(false), session.RoleName, RevokedSessionsPolicy.PolicyName, ct).ConfigureAwait(false),
            cancellationToken);

    private async Task WriteAsync(IamEndpoint endpoint, int maxChars, RevokedSession session, RevokedSessionsPolicy policy, CancellationToken cancellationToken)
    {
        DateTimeOffset? unansweredSentAt = null;
        try
        {
            if (policy.IsEmpty)
            {
                await resilience.ExecuteAsync(
                    "iam:DeleteRolePolicy",
                    async ct =>
                    {
                        var keys = await broker.GetAsync(ct).ConfigureAwait(false);
                        var sent = time.GetUtcNow();
                        try
                        {
                            await iam.DeleteRolePolicyAsync(endpoint, keys, session.RoleName, RevokedSessionsPolicy.PolicyName, ct).ConfigureAwait(false);
                        }
                        catch (Exception e) when (e is not IamException)
                        {
                            unansweredSentAt = sent;
                            throw;
                        }
                    },
                    cancellationToken).ConfigureAwait(false);
                return;
            }

            var document = policy.ToJson();
            await resilience.ExecuteAsync(
                "iam:PutRolePolicy",
                async ct =>
                {
                    var keys = await broker.GetAsync(ct).ConfigureAwait(false);
                    var sent = time.GetUtcNow();
                    try
                    {
                        await iam.PutRolePolicyAsync(endpoint, keys, session.RoleName, RevokedSessionsPolicy.PolicyName, document, ct).ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is not IamException)
                    {
                        // No answer: IAM may still apply this document later, over whatever was written meanwhile.
                        unansweredSentAt = sent;
                        throw;
                    }
                },
                cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            NoteWrite(endpoint, maxChars, session, unansweredSentAt);
        }
    }

    /// <summary>
    /// Records a write while a late write may still land on the role; starts watching the role when this write itself
    /// got no answer.
    /// </summary>
    private void NoteWrite(IamEndpoint endpoint, int maxChars, RevokedSession session, DateTimeOffset? unansweredSentAt)
    {
        lock (_lateGate)
        {
            if (!_late.TryGetValue(session.RoleArn, out var late))
            {
                if (unansweredSentAt is null)
                {
                    return;
                }

                late = new LateWrites(endpoint, maxChars);
                _late.Add(session.RoleArn, late);
            }

            late.Sessions[session.UserIdPattern] = session;
            if (unansweredSentAt is { } sent)
            {
                var settleAt = sent + lateWriteWindow;
                late.SettleAt = late.SettleAt > settleAt ? late.SettleAt : settleAt;
                AwsLog.UnansweredWrite(logger, session.RoleArn, late.SettleAt);
                late.Settling ??= Task.Run(() => SettleAsync(session.RoleArn, late));
            }
        }
    }

    /// <summary>Once no unanswered write can land any more, re-reads the policy and re-adds every session written since.</summary>
    private async Task SettleAsync(string roleArn, LateWrites late)
    {
        var token = _stopping.Token;
        while (!token.IsCancellationRequested)
        {
            DateTimeOffset settleAt;
            lock (_lateGate)
            {
                settleAt = late.SettleAt;
            }

            var wait = settleAt - time.GetUtcNow();
            try
            {
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, time, token).ConfigureAwait(false);
                }

                List<RevokedSession> sessions;
                lock (_lateGate)
                {
                    sessions = late.Sessions.Values.ToList();
                }

                var readded = 0;
                await using (var held = (await gate.EnterAsync(roleArn, token).ConfigureAwait(false)).ConfigureAwait(false))
                {
                    foreach (var session in sessions.Where(s => !IsExpired(s, time.GetUtcNow())))
                    {
                        var outcome = await RevokeHeldAsync(late.Endpoint, late.MaxChars, session, token).ConfigureAwait(false);
                        readded += outcome.Kind is RevokeOutcomeKind.Listed or RevokeOutcomeKind.RoleWideFallback ? 1 : 0;
                    }
                }

                AwsLog.LateWritesSettled(logger, roleArn, sessions.Count, readded);
                lock (_lateGate)
                {
                    if (late.SettleAt <= time.GetUtcNow())
                    {
                        _late.Remove(roleArn);
                        return;
                    }
                }
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // IAM is unreachable or refuses: try again a little later; the entries stay remembered meanwhile.
                AwsLog.SettleFailed(logger, e, roleArn);
                lock (_lateGate)
                {
                    var retryAt = time.GetUtcNow() + TimeSpan.FromSeconds(30);
                    late.SettleAt = late.SettleAt > retryAt ? late.SettleAt : retryAt;
                }
            }
        }
    }

    private sealed class LateWrites(IamEndpoint endpoint, int maxChars)
    {
        public IamEndpoint Endpoint { get; } = endpoint;

        public int MaxChars { get; } = maxChars;

        public DateTimeOffset SettleAt { get; set; }

        public Dictionary<string, RevokedSession> Sessions { get; } = new(StringComparer.Ordinal);

        public Task? Settling { get; set; }
    }
}
