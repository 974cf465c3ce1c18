using System.Globalization;
using AgentAccessBroker.Connectors.Aws.Iam;
using AgentAccessBroker.Credentials;
using Microsoft.Extensions.Logging;

namespace AgentAccessBroker.Connectors.Aws.Revocation;

/// <summary>Adds sessions to, prunes, and reads back a role's <c>aab-revoked-sessions</c> policy.</summary>
internal sealed class DenyPolicyRevoker(
    IamQueryClient iam,
    BrokerCredentials broker,
    AwsResilience resilience,
    RoleGate gate,
    TimeProvider time,
    ILogger logger)
{
    public async Task<RevokeOutcome> RevokeAsync(IamEndpoint endpoint, int maxChars, RevokedSession session, CancellationToken cancellationToken)
    {
        await using var held = (await gate.EnterAsync(session.RoleArn, cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);

        var now = time.GetUtcNow();
        var policy = RevokedSessionsPolicy.Parse(await ReadAsync(endpoint, session, cancellationToken).ConfigureAwait(false));
        var pruned = policy.Prune(now);
        var expired = IsExpired(session, now);
        var covered = policy.Covers(session) is not DenyCoverage.None;

        if (expired || covered)
        {
            if (pruned > 0)
            {
                await WriteAsync(endpoint, session, policy, cancellationToken).ConfigureAwait(false);
                AwsLog.Pruned(logger, session.RoleArn, pruned, policy.IsEmpty);
            }

            return new RevokeOutcome(expired ? RevokeOutcomeKind.AlreadyExpired : RevokeOutcomeKind.AlreadyCovered, policy.ListedCount, pruned, null, null);
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
            await WriteAsync(endpoint, session, policy, cancellationToken).ConfigureAwait(false);
        }
        catch (IamException e) when (e.Error == IamErrorCode.LimitExceeded && fallbackReason is null)
        {
            // Other inline policies on the role share IAM's 10,240-character limit and the broker cannot see them.
            fallbackReason = "IAM refused the longer list (LimitExceeded): the role's inline policies together would exceed 10,240 characters";
            policy.CollapseToRoleWide(IssuedBefore(now), session.Expiry);
            await WriteAsync(endpoint, session, policy, cancellationToken).ConfigureAwait(false);
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

    private Task WriteAsync(IamEndpoint endpoint, RevokedSession session, RevokedSessionsPolicy policy, CancellationToken cancellationToken)
    {
        if (policy.IsEmpty)
        {
            return resilience.ExecuteAsync(
                "iam:DeleteRolePolicy",
                async ct => await iam.DeleteRolePolicyAsync(endpoint, await broker.GetAsync(ct).ConfigureAwait(false), session.RoleName, RevokedSessionsPolicy.PolicyName, ct).ConfigureAwait(false),
                cancellationToken);
        }

        var document = policy.ToJson();
        return resilience.ExecuteAsync(
            "iam:PutRolePolicy",
            async ct => await iam.PutRolePolicyAsync(endpoint, await broker.GetAsync(ct).ConfigureAwait(false), session.RoleName, RevokedSessionsPolicy.PolicyName, document, ct).ConfigureAwait(false),
            cancellationToken);
    }
}
