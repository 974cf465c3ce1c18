using System.Globalization;
using AgentAccessBroker.Credentials;

namespace AgentAccessBroker.Connectors.PostgreSql;

/// <summary>
/// Proves a login role is unusable from the server's own catalogs: it is absent from pg_roles (or cannot log in and
/// its password has expired) and pg_stat_activity shows no session under its name or oid. A failed login attempt
/// with a wrong password would prove nothing, so none is made.
/// </summary>
internal static class LoginRoleInspector
{
    public static async Task<VerificationResult> VerifyAsync(AdminEndpoint endpoint, LoginRoleRevocationData data, CancellationToken cancellationToken)
    {
        await using var admin = await endpoint.OpenAsync(endpoint.AdminDatabase, cancellationToken);
        var state = await LoginRoleCatalog.DescribeRoleAsync(admin, data.Role, cancellationToken);
        var sessions = await LoginRoleCatalog.CountSessionsAsync(admin, data.Role, state?.Oid, data.RoleOid, cancellationToken);
        return Judge(endpoint, data, state, state?.Oid, sessions);
    }

    /// <summary>
    /// The verdict on what the catalogs showed: <paramref name="state"/> from pg_roles (null: no such role) and
    /// <paramref name="sessions"/> counted by the role's name, by <paramref name="countedOid"/> and by the oid recorded at mint.
    /// </summary>
    public static VerificationResult Judge(AdminEndpoint endpoint, LoginRoleRevocationData data, LoginRoleCatalog.RoleState? state, uint? countedOid, long sessions)
    {
        var server = $"{endpoint.Host}:{endpoint.Port}";
        var oids = string.Join(" or ", new[] { countedOid, data.RoleOid }.OfType<uint>().Distinct().Select(o => o.ToString(CultureInfo.InvariantCulture)));
        var sessionText = sessions == 0
            ? $"pg_stat_activity shows no session as {data.Role} (matched by name{(oids.Length > 0 ? $" and by oid {oids}" : string.Empty)})"
            : $"pg_stat_activity still shows {sessions} session(s) as {data.Role}";

        var (loginBlocked, roleText) = state switch
        {
            null => (true, $"pg_roles on {server} has no role named {data.Role}"),
            { CanLogin: false, PasswordExpired: true } => (true, $"role {data.Role} still exists on {server} but cannot log in (NOLOGIN, password expired at {state.ValidUntil})"),
            { CanLogin: true } => (false, $"role {data.Role} exists on {server} and can log in (password valid until {state.ValidUntil})"),
            _ => (false, $"role {data.Role} exists on {server} with NOLOGIN but its password has not expired (valid until {state.ValidUntil})"),
        };

        var revoked = loginBlocked && sessions == 0;
        return new VerificationResult(revoked, $"{(revoked ? "Revoked" : "Not revoked")}: {roleText}; {sessionText}.");
    }
}
