using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace AgentAccessBroker.Connectors.Aws.Tests.Fakes;

/// <summary>The STS side of the fake: AssumeRole, GetCallerIdentity and the test-only Authorize.</summary>
internal sealed partial class FakeAws
{
    private async Task AssumeRoleAsync(HttpContext context, Dictionary<string, StringValues> form, FakeSession? callerSession)
    {
        string? Param(string name) => form.TryGetValue(name, out var v) ? v.ToString() : null;
        var roleArn = Param("RoleArn");
        var sessionName = Param("RoleSessionName");
        var callerArn = callerSession is null ? $"arn:aws:iam::{AccountId}:user/broker" : SessionArn(callerSession);
        if (roleArn is null || sessionName is null)
        {
            await ValidationAsync(context, $"Value null at '{(roleArn is null ? "roleArn" : "roleSessionName")}' failed to satisfy constraint: Member must not be null");
            return;
        }

        if (sessionName.Length is < 2 or > 64)
        {
            await ValidationAsync(context, $"Value '{sessionName}' at 'roleSessionName' failed to satisfy constraint: Member must have length between 2 and 64");
            return;
        }

        if (!SessionNamePattern().IsMatch(sessionName))
        {
            await ValidationAsync(context, $"Value '{sessionName}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*");
            return;
        }

        var duration = 3600;
        if (Param("DurationSeconds") is { } durationText && (!int.TryParse(durationText, CultureInfo.InvariantCulture, out duration) || duration is < 900 or > 43200))
        {
            await ValidationAsync(context, $"Value '{durationText}' at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 43200");
            return;
        }

        var policy = Param("Policy");
        if (policy is not null)
        {
            if (policy.Length is < 1 or > 2048)
            {
                await ValidationAsync(context, "Value at 'policy' failed to satisfy constraint: Member must have length less than or equal to 2048");
                return;
            }

            if (policy.Any(c => c is not ('\t' or '\n' or '\r') && (c < ' ' || c > '\u00FF')))
            {
                await ValidationAsync(context, "Value at 'policy' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\u0009\\u000A\\u000D\\u0020-\\u00FF]+");
                return;
            }

            try
            {
                using var _ = JsonDocument.Parse(policy);
            }
            catch (JsonException)
            {
                await ErrorAsync(context, StsNs, HttpStatusCode.BadRequest, "MalformedPolicyDocument", "The policy is not in the valid JSON format.");
                return;
            }
        }

        var sourceIdentity = Param("SourceIdentity");
        if (sourceIdentity is not null && (sourceIdentity.Length is < 2 or > 64 || !SessionNamePattern().IsMatch(sourceIdentity) || sourceIdentity.StartsWith("aws:", StringComparison.OrdinalIgnoreCase)))
        {
            await ValidationAsync(context, $"Value '{sourceIdentity}' at 'sourceIdentity' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*");
            return;
        }

        var tags = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 1; Param($"Tags.member.{i}.Key") is { } key; i++)
        {
            var value = Param($"Tags.member.{i}.Value") ?? string.Empty;
            if (key.Length is < 1 or > 128 || value.Length > 256 || !TagPattern().IsMatch(key) || !TagPattern().IsMatch(value) || key.StartsWith("aws:", StringComparison.OrdinalIgnoreCase))
            {
                await ValidationAsync(context, $"Value at 'tags.{i}.member' failed to satisfy constraint: tag keys and values must match [\\p{{L}}\\p{{Z}}\\p{{N}}_.:/=+\\-@]*");
                return;
            }

            if (!tags.TryAdd(key, value))
            {
                await ValidationAsync(context, $"Duplicate tag keys found: {key}.");
                return;
            }
        }

        var transitive = new List<string>();
        for (var i = 1; Param($"TransitiveTagKeys.member.{i}") is { } key; i++)
        {
            if (!tags.ContainsKey(key))
            {
                await ValidationAsync(context, "The specified transitive tag key must be included in the requested tags.");
                return;
            }

            transitive.Add(key);
        }

        if (tags.Count > 50)
        {
            await ValidationAsync(context, "Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50");
            return;
        }

        FakeRole? role;
        lock (_gate)
        {
            role = _roles.Values.FirstOrDefault(r => r.Arn == roleArn);
        }

        // The trust policy of a broker target role (infra/aws) requires SourceIdentity and the lease tag, and optionally an ExternalId.
        if (role is null || callerSession is not null || sourceIdentity is null || !tags.ContainsKey("aab-lease")
            || (role.RequiredExternalId is { } externalId && Param("ExternalId") != externalId))
        {
            await ErrorAsync(context, StsNs, HttpStatusCode.Forbidden, "AccessDenied", $"User: {callerArn} is not authorized to perform: sts:AssumeRole on resource: {roleArn}");
            return;
        }

        if (duration > role.MaxSessionDuration.TotalSeconds)
        {
            await ValidationAsync(context, "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
            return;
        }

        if (BrokerIsRole && duration > 3600)
        {
            await ValidationAsync(context, "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.");
            return;
        }

        var packed = (policy?.Length ?? 0) + tags.Sum(t => t.Key.Length + t.Value.Length);
        if (packed > PackedPolicyLimit)
        {
            await ErrorAsync(context, StsNs, HttpStatusCode.BadRequest, "PackedPolicyTooLarge", "Serialized token too large for session");
            return;
        }

        var now = _clock.GetUtcNow();
        var issuedAt = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
        var session = new FakeSession(
            "ASIA" + RandomText(16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"),
            RandomText(40, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"),
            "IQoJb3JpZ2luX2Vj" + RandomText(180, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"),
            role,
            sessionName,
            role.RoleId + ":" + sessionName,
            issuedAt,
            issuedAt.AddSeconds(duration),
            policy);
        lock (_gate)
        {
            _sessions.Add(session.AccessKeyId, session);
            _assumeRoleCalls.Add(new AssumeRoleCall(roleArn, sessionName, duration, policy, sourceIdentity, Param("ExternalId"), tags, transitive));
        }

        var result = new XElement(
            StsNs + "AssumeRoleResult",
            new XElement(StsNs + "SourceIdentity", sourceIdentity),
            new XElement(
                StsNs + "AssumedRoleUser",
                new XElement(StsNs + "Arn", SessionArn(session)),
                new XElement(StsNs + "AssumedRoleId", session.AssumedRoleId)),
            new XElement(
                StsNs + "Credentials",
                new XElement(StsNs + "AccessKeyId", session.AccessKeyId),
                new XElement(StsNs + "SecretAccessKey", session.SecretAccessKey),
                new XElement(StsNs + "SessionToken", session.SessionToken),
                new XElement(StsNs + "Expiration", session.Expiration.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture))),
            new XElement(StsNs + "PackedPolicySize", Math.Min(100, packed * 100 / Math.Max(1, Math.Min(PackedPolicyLimit, 4096)))));
        await OkAsync(context, StsNs, "AssumeRole", result);
    }

    private async Task GetCallerIdentityAsync(HttpContext context, FakeSession? session)
    {
        var result = new XElement(
            StsNs + "GetCallerIdentityResult",
            new XElement(StsNs + "Arn", session is null ? $"arn:aws:iam::{AccountId}:user/broker" : SessionArn(session)),
            new XElement(StsNs + "UserId", session is null ? "AIDA" + BrokerAccessKeyId[4..] : session.AssumedRoleId),
            new XElement(StsNs + "Account", AccountId));
        await OkAsync(context, StsNs, "GetCallerIdentity", result);
    }

    private async Task AuthorizeAsync(HttpContext context, Dictionary<string, StringValues> form, FakeSession? session)
    {
        var operation = form.GetValueOrDefault("Operation").ToString();
        var resource = form.GetValueOrDefault("Resource").ToString();
        if (session is null)
        {
            await ErrorAsync(context, StsNs, HttpStatusCode.BadRequest, "InvalidRequest", "Authorize is for session credentials.");
            return;
        }

        FakePolicyEvaluator.Decision decision;
        lock (_gate)
        {
            decision = FakePolicyEvaluator.Evaluate(session, operation, resource, _clock.GetUtcNow());
        }

        if (!decision.Allowed)
        {
            await ErrorAsync(context, StsNs, HttpStatusCode.Forbidden, "AccessDenied", $"User: {SessionArn(session)} is not authorized to perform: {operation} on resource: {resource} ({decision.Reason})");
            return;
        }

        await OkAsync(context, StsNs, AuthorizeAction, new XElement(StsNs + "AuthorizeResult", new XElement(StsNs + "Decision", decision.Reason)));
    }

    [GeneratedRegex(@"^[\w+=,.@-]*$", RegexOptions.ECMAScript)]
    private static partial Regex SessionNamePattern();

    [GeneratedRegex(@"^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$")]
    private static partial Regex TagPattern();
}
