using System.Globalization;
using System.Text.Json;
using AgentAccessBroker.Credentials;

namespace AgentAccessBroker.Connectors.PostgreSql;

/// <summary>
/// What revoke needs, persisted with the lease: which role, on which server, in which databases it was granted, and
/// (once minted) its oid so sessions orphaned by an outside <c>DROP ROLE</c> can still be found. Never a password.
/// </summary>
/// <remarks>The server location is recorded rather than re-read from the target so a later policy edit cannot send
/// revocation to a different server than the one the role was created on.</remarks>
internal sealed record LoginRoleRevocationData(
    string Role,
    IReadOnlyList<string> Databases,
    string Host,
    int Port,
    string AdminDatabase,
    uint? RoleOid)
{
    private const string RoleKey = "role";
    private const string DatabasesKey = "databases";
    private const string HostKey = "host";
    private const string PortKey = "port";
    private const string AdminDatabaseKey = "admin_database";
    private const string RoleOidKey = "role_oid";

    public RevocationData ToRevocationData()
    {
        var data = RevocationData.Of(
            (RoleKey, Role),
            (DatabasesKey, JsonSerializer.Serialize(Databases)),
            (HostKey, Host),
            (PortKey, Port.ToString(CultureInfo.InvariantCulture)),
            (AdminDatabaseKey, AdminDatabase));
        return RoleOid is { } oid ? data.With(RoleOidKey, oid.ToString(CultureInfo.InvariantCulture)) : data;
    }

    public static LoginRoleRevocationData From(RevocationData data)
    {
        var role = data.Require(RoleKey);
        if (!LoginRoleName.IsLoginRoleName(role))
        {
            // Revocation data is trusted only this far: it can never make the broker drop a role it did not mint.
            throw new InvalidOperationException($"Revocation data names '{role}', which is not a role this connector mints.");
        }

        var databases = JsonSerializer.Deserialize<List<string>>(data.Require(DatabasesKey))
            ?? throw new InvalidOperationException("Revocation data has no database list.");
        var port = int.Parse(data.Require(PortKey), NumberStyles.None, CultureInfo.InvariantCulture);
        uint? oid = data.Get(RoleOidKey) is { } text ? uint.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture) : null;
        return new LoginRoleRevocationData(role, databases, data.Require(HostKey), port, data.Require(AdminDatabaseKey), oid);
    }
}
