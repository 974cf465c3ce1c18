namespace AgentAccessBroker.Connectors.Aws.Revocation;

/// <summary>One session to deny, as the deny policy sees it.</summary>
/// <param name="UserIdPattern">The <c>aws:userid</c> value: the AssumedRoleId (<c>AROA...:session</c>) when the mint
/// finished, else <c>*:session</c> (see <see cref="AwsRevocationData"/>).</param>
/// <param name="IssuedAt">When STS issued the session; null when only the plan survived.</param>
/// <param name="Expiry">The latest moment the session's credentials can still work.</param>
internal sealed record RevokedSession(string RoleArn, string RoleName, string UserIdPattern, DateTimeOffset? IssuedAt, DateTimeOffset Expiry);
