using System.Globalization;
using AgentAccessBroker.Connectors.Aws.Revocation;
using AgentAccessBroker.Credentials;

namespace AgentAccessBroker.Connectors.Aws;

/// <summary>
/// The keys of the aws provider's revocation data (all non-secret). The plan holds enough to revoke a session whose
/// mint crashed; the mint adds the exact AssumedRoleId and expiry.
/// </summary>
/// <remarks>
/// Before the mint returns, the role's unique id (the <c>AROA...</c> prefix of the AssumedRoleId) is unknown, so a
/// plan-only revocation denies <c>aws:userid</c> StringLike <c>*:&lt;session name&gt;</c>. That is as precise as the
/// full id: the deny policy sits on this role, so it is only evaluated for this role's sessions, which all share the
/// role's id prefix; session names cannot contain <c>*</c> or <c>?</c>, and the name is unique per lease. (If the role
/// were deleted and re-created under the same name the pattern would also deny the new role's session of that name,
/// which errs towards denial.) This avoids an iam:GetRole call and the permission for it.
/// </remarks>
internal static class AwsRevocationData
{
    public const string RoleArn = "role_arn";
    public const string RoleName = "role_name";
    public const string SessionName = "session_name";
    public const string PlannedAt = "planned_at";
    public const string LeaseNotAfter = "lease_not_after";

    /// <summary>The latest moment any session minted from this plan can still work.</summary>
    public const string ExpiryBound = "expiry_bound";
    public const string AssumedRoleId = "assumed_role_id";
    public const string IssuedAt = "issued_at";
    public const string CredentialExpiresAt = "credential_expires_at";

    public static string Format(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static DateTimeOffset? ReadTime(RevocationData data, string key) =>
        data.Get(key) is { } text
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value)
            ? value
            : null;

    /// <summary>What revocation denies for this lease, from the persisted data alone.</summary>
    public static RevokedSession ToSession(RevocationRequest request)
    {
        var data = request.Data;
        var userId = data.Get(AssumedRoleId) ?? "*:" + data.Require(SessionName);
        var expiry = ReadTime(data, CredentialExpiresAt)
            ?? ReadTime(data, ExpiryBound)
            ?? throw new InvalidOperationException($"Revocation data has neither '{CredentialExpiresAt}' nor '{ExpiryBound}'.");
        if (request.ExpiresAt > expiry)
        {
            expiry = request.ExpiresAt;
        }

        return new RevokedSession(data.Require(RoleArn), data.Require(RoleName), userId, ReadTime(data, IssuedAt), expiry);
    }
}
