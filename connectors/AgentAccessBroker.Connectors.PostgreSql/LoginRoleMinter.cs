using System.Globalization;
using AgentAccessBroker.Credentials;
using Npgsql;
using static AgentAccessBroker.Connectors.PostgreSql.PostgresQuoting;

namespace AgentAccessBroker.Connectors.PostgreSql;

/// <summary>
/// Creates the login role and grants exactly the requested table privileges, one transaction per database. Refusals
/// that the caller can act on (unknown table, privilege the broker may not pass on) become
/// <see cref="CredentialRequestException"/>s naming the resource; everything else propagates for the provider to wrap.
/// </summary>
internal sealed class LoginRoleMinter
{
    public const string UnknownResourceCode = "unknown_resource";
    public const string BrokerLacksPrivilegeCode = "broker_lacks_privilege";

    internal const string PrivilegeNotGranted = "01007";

    /// <summary>Tracks whether the role may exist, so a failed mint knows whether there is anything to roll back.</summary>
    public sealed class Progress
    {
        public bool RoleMayExist { get; set; }
    }

    public async Task<uint> MintAsync(
        AdminEndpoint endpoint,
        string role,
        RequestedGrants grants,
        LoginSecret secret,
        DateTimeOffset validUntil,
        Progress progress,
        CancellationToken cancellationToken)
    {
        // The privileges go to one broker-owned group role per (database, objects, privileges), created and granted
        // once; the lease role only becomes a member. A table's ACL then holds one entry per distinct grant instead of
        // one per live lease (a table's ACL must fit in one catalog row: about 2,400 direct grantees made every further
        // GRANT fail with 54000 "row is too big"). The groups exist before the lease role, so a refusal (unknown
        // table, privilege the broker may not pass on) comes before anything lease-specific was created.
        var groups = new List<string>();
        foreach (var database in grants.Databases)
        {
            groups.Add(await GrantGroup.EnsureAsync(endpoint, database, grants, cancellationToken));
        }

        return await CreateRoleAsync(endpoint, role, groups, secret, validUntil, progress, cancellationToken);
    }

    private static async Task<uint> CreateRoleAsync(
        AdminEndpoint endpoint, string role, IReadOnlyList<string> groups, LoginSecret secret, DateTimeOffset validUntil, Progress progress, CancellationToken cancellationToken)
    {
        await using var admin = await endpoint.OpenAsync(endpoint.AdminDatabase, cancellationToken);
        var until = validUntil.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture) + "+00";

        // Once the statement is on the wire the outcome is unknown until the server answers; a lost connection
        // here must still lead to a rollback attempt.
        progress.RoleMayExist = true;
        try
        {
            await using var transaction = await admin.BeginTransactionAsync(cancellationToken);
            // IN ROLE makes the membership part of the role's creation: the role never exists without its grants.
            await using (var create = new NpgsqlCommand(
                $"CREATE ROLE {Identifier(role)} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT " +
                $"PASSWORD {Literal(secret.Verifier)} VALID UNTIL {Literal(until)} IN ROLE {string.Join(", ", groups.Select(Identifier))}", admin, transaction))
            {
                await create.ExecuteNonQueryAsync(cancellationToken);
            }

            // The broker's admin does not become a member of the lease role here. A CREATEROLE admin needs the role's
            // privileges only to run REASSIGN/DROP OWNED, and the revocation grants them to itself just before, when
            // the role turns out to own something. Made a member of every live lease role, the admin paid for it on
            // every privilege check: PostgreSQL rebuilds the admin's list of roles (quadratic in its memberships)
            // after every role change in the cluster, and each pg_stat_activity read checks privileges per session;
            // at 10,000 live leases that made each revocation's session queries take 0.1-3 s.
            await using var find = new NpgsqlCommand("SELECT oid FROM pg_roles WHERE rolname = $1", admin, transaction);
            find.Parameters.Add(LoginRoleCatalog.Text(role));
            var oid = (uint)(await find.ExecuteScalarAsync(cancellationToken))!;
            await transaction.CommitAsync(cancellationToken);
            return oid;
        }
        catch (PostgresException)
        {
            // The server answered with an error, so the transaction did not commit: no role was created by this call
            // (an existing role of the same name, 42710, belongs to an earlier attempt and its own revocation).
            progress.RoleMayExist = false;
            throw;
        }
    }

    /// <summary>Runs grant statements in one database and turns refusals into caller-facing errors.</summary>
    internal sealed class Grant(NpgsqlConnection connection, NpgsqlTransaction? transaction, string role, List<PostgresNotice> refusals)
    {
        public async Task<bool> HasAsync(string query, string? argument, CancellationToken cancellationToken) =>
            await FindAsync(query, argument, cancellationToken) ?? false;

        public async Task<bool?> FindAsync(string query, string? argument, CancellationToken cancellationToken)
        {
            await using var command = new NpgsqlCommand(query, connection, transaction);
            command.Parameters.Add(LoginRoleCatalog.Text(role));
            if (argument is not null)
            {
                command.Parameters.Add(LoginRoleCatalog.Text(argument));
            }

            return await command.ExecuteScalarAsync(cancellationToken) as bool?;
        }

        public async Task ExecuteAsync(string statement, string resource, string privileges, CancellationToken cancellationToken)
        {
            try
            {
                await using var command = new NpgsqlCommand(statement, connection, transaction);
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
            catch (PostgresException e) when (e.SqlState is "42P01" or "3F000")
            {
                throw new CredentialRequestException(UnknownResourceCode, $"Resource '{resource}' does not exist on the target; check the name (names are case-sensitive).");
            }
            catch (PostgresException e) when (e.SqlState is "42809" or "0LP01")
            {
                throw new CredentialRequestException(RequestedGrants.InvalidResourceCode, $"{privileges} cannot be granted on '{resource}': it is not a table or view.");
            }
            catch (PostgresException e) when (e.SqlState is "42501")
            {
                throw LacksPrivilege(resource, privileges);
            }

            // Without grant option PostgreSQL only warns and grants nothing; a credential narrower than promised
            // would fail later in confusing ways, so refuse now.
            if (refusals.Count > 0)
            {
                throw LacksPrivilege(resource, privileges);
            }
        }

        private static CredentialRequestException LacksPrivilege(string resource, string privileges) =>
            new(BrokerLacksPrivilegeCode,
                $"The broker's admin role may not grant {privileges} on '{resource}': it must own the objects or hold the privileges WITH GRANT OPTION.");
    }
}
