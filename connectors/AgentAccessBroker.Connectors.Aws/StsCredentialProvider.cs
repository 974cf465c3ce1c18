using System.Collections.Concurrent;
using System.Net;
using AgentAccessBroker.Connectors.Aws.Iam;
using AgentAccessBroker.Connectors.Aws.Revocation;
using AgentAccessBroker.Credentials;
using Amazon;
using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using Microsoft.Extensions.Logging;

namespace AgentAccessBroker.Connectors.Aws;

/// <summary>
/// Mints STS sessions (AssumeRole into the target's role) narrowed by a session policy to exactly the granted actions and
/// resources, and revokes them by listing the session in a deny policy on the role, since AWS cannot revoke STS
/// credentials themselves.
/// </summary>
/// <remarks>
/// A revoked session stays valid until its expiry, only denied, so the broker re-verifies it until then
/// (<see cref="IRevokedCredentialLifetime"/>). The health probe (<see cref="ITargetHealthProbe"/>) asks STS who the
/// broker is and reads the role's deny policy, changing nothing.
/// </remarks>
internal sealed class StsCredentialProvider : ICredentialProvider, ITargetHealthProbe, IRevokedCredentialLifetime, IDisposable
{
    public const string ProviderName = "aws";
    public const string LeaseTagKey = "aab-lease";
    public const string TaskTagKey = "aab-task";
    public const string AgentTagKey = "aab-agent";
    internal const int MinDurationSeconds = 900;
    internal const int RoleChainingMaxSeconds = 3600;

    /// <summary>How long after the plan a mint may still start; bounds <see cref="AwsRevocationData.ExpiryBound"/>.</summary>
    internal static readonly TimeSpan PlanValidity = TimeSpan.FromMinutes(10);

    private static readonly List<string> TransitiveTagKeys = [LeaseTagKey, TaskTagKey, AgentTagKey];

    private readonly AwsConnectorOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<StsCredentialProvider> _logger;
    private readonly IRevocationObserver[] _observers;
    private readonly BrokerCredentials _broker;
    private readonly AwsResilience _resilience;
    private readonly HttpClient _http;
    private readonly IamQueryClient _iam;
    private readonly DenyPolicyRevoker _revoker;
    private readonly ConcurrentDictionary<string, Lazy<AmazonSecurityTokenServiceClient>> _stsClients = new(StringComparer.Ordinal);

    public StsCredentialProvider(
        AwsConnectorOptions options,
        TimeProvider time,
        ILogger<StsCredentialProvider> logger,
        RoleGate gate,
        IEnumerable<IRevocationObserver> observers)
    {
        _options = options;
        _time = time;
        _logger = logger;
        _observers = observers.ToArray();
        _broker = new BrokerCredentials(options.BrokerCredentials);
        _resilience = new AwsResilience(options, logger);

        // Timeouts come from the resilience pipeline, per attempt.
        _http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = Timeout.InfiniteTimeSpan };
        _iam = new IamQueryClient(_http, time);
        _revoker = new DenyPolicyRevoker(_iam, _broker, _resilience, gate, time, logger, options.LateWriteWindow);
    }

    public string Name => ProviderName;

    public IReadOnlyList<TargetSettingProblem> ValidateTarget(TargetSettings target)
    {
        var problems = new List<TargetSettingProblem>();
        AwsTarget.TryParse(target, problems);
        return problems;
    }

    public void CheckRequest(MintRequest request) => SessionPolicy.Build(request.Actions, request.Resources);

    public RevocationData Plan(MintRequest request)
    {
        var target = AwsTarget.Parse(request.Target);
        var longest = TimeSpan.FromSeconds(DurationSeconds(request.NotAfter - request.Now, target.MaxSessionDuration, capForChaining: false));
        return RevocationData.Of(
            (AwsRevocationData.RoleArn, target.RoleArn),
            (AwsRevocationData.RoleName, target.RoleName),
            (AwsRevocationData.SessionName, SessionNaming.RoleSessionName(request.LeaseId)),
            (AwsRevocationData.PlannedAt, AwsRevocationData.Format(request.Now)),
            (AwsRevocationData.LeaseNotAfter, AwsRevocationData.Format(request.NotAfter)),
            (AwsRevocationData.ExpiryBound, AwsRevocationData.Format(request.Now + PlanValidity + longest + TimeSpan.FromMinutes(5))));
    }

    public async Task<MintResult> MintAsync(MintRequest request, RevocationData plan, CancellationToken cancellationToken)
    {
        var target = AwsTarget.Parse(request.Target);
        var now = _time.GetUtcNow();
        if (now > request.Now + PlanValidity)
        {
            // The plan's expiry bound assumed the mint starts soon after it; a late mint could outlive the bound.
            throw new CredentialMintException(
                "plan_expired", $"The plan for lease {request.LeaseId} is older than {PlanValidity.TotalMinutes} minutes; the broker did not call AWS.", nothingCreated: true);
        }

        // Everything that can refuse the request without AWS runs before the first AWS call, so that a refusal is
        // known to have created nothing and the broker runs no rollback (which would add a deny entry for a session
        // that never existed, and enough of those would push the role into its role-wide fallback).
        var policy = SessionPolicy.Build(request.Actions, request.Resources);
        var roleArn = plan.Require(AwsRevocationData.RoleArn);
        var sessionName = plan.Require(AwsRevocationData.SessionName);
        ImmutableCredentials brokerKeys;
        try
        {
            brokerKeys = await _broker.GetAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            AwsLog.CallFailed(_logger, "credential chain", roleArn, e.GetType().Name);
            throw new CredentialMintException(
                "aws_broker_credentials_unavailable",
                $"The broker could not obtain its own AWS credentials from the AWS SDK credential chain ({e.GetType().Name}); it did not call STS for role {roleArn}.",
                nothingCreated: true,
                e);
        }

        var chaining = target.BrokerUsesRoleCredentials switch
        {
            RoleChaining.Yes => true,
            RoleChaining.No => false,
            _ => _broker.AreRoleCredentials(brokerKeys),
        };

        var duration = DurationSeconds(request.NotAfter - now, target.MaxSessionDuration, chaining);
        var assumeRole = new AssumeRoleRequest
        {
            RoleArn = roleArn,
            RoleSessionName = sessionName,
            DurationSeconds = duration,
            Policy = policy,
            SourceIdentity = SessionNaming.SourceIdentity(request.AgentId),
            Tags =
            [
                new Tag { Key = LeaseTagKey, Value = SessionNaming.TagValue(request.LeaseId) },
                new Tag { Key = TaskTagKey, Value = SessionNaming.TagValue(request.TaskId) },
                new Tag { Key = AgentTagKey, Value = SessionNaming.TagValue(request.AgentId) },
            ],
            TransitiveTagKeys = TransitiveTagKeys,
            ExternalId = target.ExternalId,
        };

        AssumeRoleResponse response;
        try
        {
            response = await AssumeRoleAsync(target, assumeRole, retryableChaining: !chaining && duration > RoleChainingMaxSeconds, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonSecurityTokenServiceException e) when (IsRoleChainingRefusal(e))
        {
            AwsLog.RoleChainingCap(_logger, roleArn, duration);
            assumeRole.DurationSeconds = RoleChainingMaxSeconds;
            response = await AssumeRoleAsync(target, assumeRole, retryableChaining: false, cancellationToken).ConfigureAwait(false);
        }

        var credentials = response.Credentials;
        var expiresAt = new DateTimeOffset(DateTime.SpecifyKind(credentials.Expiration ?? throw new InvalidDataException("STS answered without an expiration."), DateTimeKind.Utc));
        var issuedAt = expiresAt - TimeSpan.FromSeconds(assumeRole.DurationSeconds ?? duration);
        var data = plan
            .With(AwsRevocationData.AssumedRoleId, response.AssumedRoleUser.AssumedRoleId)
            .With(AwsRevocationData.IssuedAt, AwsRevocationData.Format(issuedAt))
            .With(AwsRevocationData.CredentialExpiresAt, AwsRevocationData.Format(expiresAt));
        AwsLog.Minted(_logger, request.LeaseId, roleArn, sessionName, assumeRole.DurationSeconds ?? duration, expiresAt);

        var note = $"These AWS STS credentials expire at {AwsRevocationData.Format(expiresAt)}"
            + (expiresAt > request.NotAfter + TimeSpan.FromSeconds(5) ? $", after your lease ends at {AwsRevocationData.Format(request.NotAfter)} (STS sessions last at least 15 minutes)" : string.Empty)
            + (expiresAt < request.NotAfter - TimeSpan.FromSeconds(5) ? $", before your lease ends at {AwsRevocationData.Format(request.NotAfter)} (the role allows no longer sessions); request again when they expire" : string.Empty)
            + $". AWS cannot revoke STS credentials: the broker revokes them by adding this session to a deny policy on role {plan.Require(AwsRevocationData.RoleName)}, "
            + "which can take a few minutes to take effect everywhere. They allow only the granted actions on the granted resources.";
        return new MintResult(AwsCredentialForms.Create(credentials, target.Region, expiresAt), data, expiresAt, Revocability.DenyPolicy, note);
    }

    public async Task RevokeAsync(RevocationRequest request, CancellationToken cancellationToken)
    {
        var target = AwsTarget.Parse(request.Target);
        var session = AwsRevocationData.ToSession(request);
        RevokeOutcome outcome;
        try
        {
            outcome = await _revoker.RevokeAsync(Iam(target), target.DenyPolicyMaxChars, session, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (AwsErrors.IsCallFailure(e, cancellationToken))
        {
            throw Failed("revoking", "IAM", session.RoleArn, request.LeaseId, e);
        }

        switch (outcome.Kind)
        {
            case RevokeOutcomeKind.Listed:
                AwsLog.Revoked(_logger, request.LeaseId, session.RoleArn, session.UserIdPattern, outcome.ListedCount, outcome.PrunedCount);
                break;
            case RevokeOutcomeKind.AlreadyCovered:
                AwsLog.AlreadyRevoked(_logger, request.LeaseId, session.RoleArn, session.UserIdPattern);
                break;
            case RevokeOutcomeKind.AlreadyExpired:
                AwsLog.AlreadyExpired(_logger, request.LeaseId, session.Expiry);
                break;
            case RevokeOutcomeKind.RoleWideFallback:
                await ReportFallbackAsync(request, session, outcome, cancellationToken).ConfigureAwait(false);
                break;
        }
    }

    public async Task<VerificationResult> VerifyAsync(RevocationRequest request, CancellationToken cancellationToken)
    {
        var target = AwsTarget.Parse(request.Target);
        var session = AwsRevocationData.ToSession(request);
        try
        {
            return await _revoker.VerifyAsync(Iam(target), session, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (AwsErrors.IsCallFailure(e, cancellationToken))
        {
            throw Failed("verifying the revocation of", "IAM", session.RoleArn, request.LeaseId, e);
        }
    }

    /// <summary>
    /// The session's credentials work until their expiry (the exact one after the mint, the plan's bound after a crashed
    /// mint), plus the clock skew AWS tolerates; a deny entry that goes missing before then gives the access back.
    /// </summary>
    public DateTimeOffset? UsableUntil(RevocationRequest request) => AwsRevocationData.ToSession(request).Expiry + RevokedSessionsPolicy.ClockSkew;

    /// <summary>
    /// STS <c>GetCallerIdentity</c> with the broker's own credentials (their validity and STS's answer), then IAM
    /// <c>GetRolePolicy</c> of the role's deny policy (what revocation reads first). Both change nothing; neither is
    /// retried here, since the broker probes again at its own interval. No key, token or AWS message text reaches the
    /// exception or the log: the call, role, error code and status only.
    /// </summary>
    public async Task ProbeAsync(TargetSettings target, CancellationToken cancellationToken)
    {
        var aws = AwsTarget.Parse(target);
        var call = "STS GetCallerIdentity";
        try
        {
            await StsClient(aws).GetCallerIdentityAsync(new GetCallerIdentityRequest(), cancellationToken).ConfigureAwait(false);
            call = "IAM GetRolePolicy";
            var keys = await _broker.GetAsync(cancellationToken).ConfigureAwait(false);
            await _iam.GetRolePolicyAsync(Iam(aws), keys, aws.RoleName, RevokedSessionsPolicy.PolicyName, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var reason = AwsErrors.Describe(e);
            AwsLog.ProbeFailed(_logger, call, aws.RoleArn, reason);
            throw new AwsCallException($"AWS did not answer the health probe for role {aws.RoleArn}: {call} returned {reason}.", e);
        }
    }

    /// <summary>Completes when no unanswered deny-policy write can still land unchecked (see <see cref="DenyPolicyRevoker"/>).</summary>
    internal Task LateWritesSettledAsync() => _revoker.SettledAsync();

    public void Dispose()
    {
        _revoker.Dispose();
        foreach (var client in _stsClients.Values.Where(c => c.IsValueCreated))
        {
            client.Value.Dispose();
        }

        _http.Dispose();
    }

    internal static int DurationSeconds(TimeSpan wanted, TimeSpan roleMax, bool capForChaining)
    {
        var max = (int)roleMax.TotalSeconds;
        if (capForChaining)
        {
            max = Math.Min(max, RoleChainingMaxSeconds);
        }

        var seconds = wanted <= TimeSpan.Zero ? MinDurationSeconds : (int)Math.Min(Math.Ceiling(wanted.TotalSeconds), int.MaxValue);
        return Math.Clamp(seconds, MinDurationSeconds, Math.Max(max, MinDurationSeconds));
    }

    private static IamEndpoint Iam(AwsTarget target) => new(target.IamEndpoint, target.IamSigningRegion);

    private static bool IsRoleChainingRefusal(AmazonSecurityTokenServiceException e) =>
        e.ErrorCode == "ValidationError" && e.Message.Contains("role chaining", StringComparison.OrdinalIgnoreCase);

    /// <param name="retryableChaining">Let a role-chaining refusal through unwrapped, for the caller to retry capped.</param>
    private async Task<AssumeRoleResponse> AssumeRoleAsync(AwsTarget target, AssumeRoleRequest request, bool retryableChaining, CancellationToken cancellationToken)
    {
        var sts = StsClient(target);
        try
        {
            return await _resilience.ExecuteAsync("sts:AssumeRole", ct => sts.AssumeRoleAsync(request, ct), cancellationToken).ConfigureAwait(false);
        }
        catch (PackedPolicyTooLargeException e)
        {
            throw SessionPolicy.TooLarge(
                $"AWS rejected the session policy for {request.RoleSessionName} as too large once packed with the session tags (PackedPolicyTooLarge), although it is within the plaintext limit.",
                e);
        }
        catch (MalformedPolicyDocumentException e)
        {
            throw new CredentialRequestException(
                "session_policy_invalid",
                "AWS rejected the session policy built from the granted actions and resources as malformed. Check that every action exists (service:Action) and every resource is a valid ARN.",
                e) { NothingCreated = true };
        }
        catch (AmazonSecurityTokenServiceException e) when (retryableChaining && IsRoleChainingRefusal(e))
        {
            throw;
        }
        catch (Exception e) when (AwsErrors.IsCallFailure(e, cancellationToken))
        {
            var hint = e is AmazonServiceException { ErrorCode: "AccessDenied" }
                ? " The role's trust policy must let the broker call sts:AssumeRole, sts:TagSession and sts:SetSourceIdentity and require SourceIdentity and the aab-lease tag (see infra/aws)."
                : e is AmazonServiceException { ErrorCode: "ValidationError" }
                    ? $" Check that {AwsTarget.MaxSessionDurationKey} is not above the role's MaxSessionDuration."
                    : string.Empty;
            // STS answered with a refusal (4xx, not throttling): AssumeRole is all or nothing, so no session exists.
            // A timeout, a broken connection or a 5xx leaves the outcome unknown.
            var refused = e is AmazonServiceException { StatusCode: >= HttpStatusCode.BadRequest and < HttpStatusCode.InternalServerError } && !AwsErrors.IsTransient(e);
            var code = e switch
            {
                _ when AwsErrors.IsTransient(e) => "aws_unavailable",
                AmazonServiceException { ErrorCode: "AccessDenied" } => "aws_access_denied",
                AmazonServiceException { ErrorCode: "ValidationError" } => "aws_invalid_request",
                _ => "aws_sts_error",
            };
            throw new CredentialMintException(code, Failed("minting", "STS AssumeRole", request.RoleArn, request.RoleSessionName, e, hint).Message, refused, e);
        }
    }

    private AwsCallException Failed(string doing, string call, string roleArn, string lease, Exception e, string hint = "")
    {
        var reason = AwsErrors.Describe(e);
        call = e is IamException iamError ? "IAM " + iamError.Operation : call;
        AwsLog.CallFailed(_logger, call, roleArn, reason);
        var transient = AwsErrors.IsTransient(e) ? $" after {_options.MaxRetryAttempts + 1} attempts" : string.Empty;
        var (awsMessage, requestId) = e switch
        {
            IamException iam => (iam.AwsMessage, iam.RequestId),
            AmazonServiceException aws => (aws.Message, aws.RequestId),
            _ => (string.Empty, null),
        };
        var detail = awsMessage.Length == 0 ? string.Empty : ": " + Truncate(awsMessage.TrimEnd('.'));
        var request = string.IsNullOrEmpty(requestId) ? string.Empty : $" (AWS request id {requestId})";
        return new AwsCallException($"AWS failed while {doing} {lease} in role {roleArn}: {call} returned {reason}{transient}{detail}{request}.{hint}", e);
    }

    private static string Truncate(string text) => text.Length <= 300 ? text : text[..300] + "...";

    private AmazonSecurityTokenServiceClient StsClient(AwsTarget target)
    {
        var key = target.StsEndpoint?.ToString() ?? target.Region;
        return _stsClients.GetOrAdd(
            key,
            _ => new Lazy<AmazonSecurityTokenServiceClient>(
                () =>
                {
                    var config = new AmazonSecurityTokenServiceConfig
                    {
                        // Polly retries and times attempts out; the SDK's own retries would multiply attempts and hide
                        // throttling, and its timeout only backs up Polly's.
                        MaxErrorRetry = 0,
                        Timeout = _options.AttemptTimeout + TimeSpan.FromSeconds(5),
                    };
                    if (target.StsEndpoint is { } endpoint)
                    {
                        config.ServiceURL = endpoint.ToString();
                        config.AuthenticationRegion = target.Region;
                    }
                    else
                    {
                        config.RegionEndpoint = RegionEndpoint.GetBySystemName(target.Region);
                    }

                    return new AmazonSecurityTokenServiceClient(_broker.Credentials, config);
                },
                LazyThreadSafetyMode.ExecutionAndPublication)).Value;
    }

    private async Task ReportFallbackAsync(RevocationRequest request, RevokedSession session, RevokeOutcome outcome, CancellationToken cancellationToken)
    {
        var issuedBefore = outcome.IssuedBefore!.Value;
        var reason = outcome.FallbackReason!;
        AwsLog.RoleWideFallback(_logger, request.LeaseId, session.RoleArn, issuedBefore, reason);
        var fallback = new RevocationFallback(
            ProviderName,
            request.LeaseId,
            request.Target.Name,
            reason.Length > 0 ? char.ToUpperInvariant(reason[0]) + reason[1..] + "." : reason,
            $"Every session of role {session.RoleArn} issued before {AwsRevocationData.Format(issuedBefore)} is denied, including other leases' live sessions on that role; "
                + "those agents must request new credentials.",
            _time.GetUtcNow());
        foreach (var observer in _observers)
        {
            try
            {
                await observer.OnFallbackAsync(fallback, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                AwsLog.ObserverFailed(_logger, e, request.LeaseId);
            }
        }
    }
}
