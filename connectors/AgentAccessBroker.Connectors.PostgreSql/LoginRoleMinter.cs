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

    private const string PrivilegeNotGranted = "01007";

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
        var oid = await CreateRoleAsync(endpoint, role, secret, validUntil, progress, cancellationToken);
        foreach (var database in grants.Databases)
        {
            await GrantInDatabaseAsync(endpoint, database, role, grants, cancellationToken);
        }

        return oid;
    }

    private static async Task<uint> CreateRoleAsync(
        AdminEndpoint endpoint, string role, LoginSecret secret, DateTimeOffset validUntil, Progress progress, CancellationToken cancellationToken)
    {
        await using var admin = await endpoint.OpenAsync(endpoint.AdminDatabase, cancellationToken);
        var superuser = await LoginRoleCatalog.IsSuperuserAsync(admin, cancellationToken);
        var until = validUntil.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture) + "+00";

        // Once the statement is on the wire the outcome is unknown until the server answers; a lost connection
        // here must still lead to a rollback attempt.
        progress.RoleMayExist = true;
        try
        {
            await using var transaction = await admin.BeginTransactionAsync(cancellationToken);
            await using (var create = new NpgsqlCommand(
                $"CREATE ROLE {Identifier(role)} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT " +
                $"PASSWORD {Literal(secret.Verifier)} VALID UNTIL {Literal(until)}", admin, transaction))
            {
                await create.ExecuteNonQueryAsync(cancellationToken);
            }

            if (!superuser)
            {
                // A CREATEROLE admin needs the new role's privileges to run REASSIGN/DROP OWNED at revocation
                // (PostgreSQL 15 grants nothing automatically); in the same transaction, so it can never be missing.
                await using var member = new NpgsqlCommand($"GRANT {Identifier(role)} TO CURRENT_USER", admin, transaction);
                await member.ExecuteNonQueryAsync(cancellationToken);
            }

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

    private static async Task GrantInDatabaseAsync(
        AdminEndpoint endpoint, string database, string role, RequestedGrants grants, CancellationToken cancellationToken)
    {
        var scopes = grants.Scopes.Where(s => s.Database == database).ToList();
        NpgsqlConnection connection;
        try
        {
            connection = await endpoint.OpenAsync(database, cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState is "3D000")
        {
            throw new CredentialRequestException(UnknownResourceCode, $"Database '{database}' does not exist on the target; check the resource name.");
        }
        catch (PostgresException e) when (e.SqlState is "42501")
        {
            throw new CredentialRequestException(BrokerLacksPrivilegeCode, $"The broker's admin role may not connect to database '{database}'.");
        }

        await using (connection)
        {
            var refusals = new List<PostgresNotice>();
            connection.Notice += (_, args) =>
            {
                if (args.Notice.SqlState == PrivilegeNotGranted)
                {
                    refusals.Add(args.Notice);
                }
            };

            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await LoginRoleCatalog.LockPrivilegeChangesAsync(connection, transaction, cancellationToken);
            var grant = new Grant(connection, transaction, role, refusals);

            // CONNECT and USAGE are granted only when the role does not already have them (usually through PUBLIC):
            // an admin that does not own the database or schema could not grant them anyway.
            if (!await grant.HasAsync("SELECT has_database_privilege($1::name, oid, 'CONNECT') FROM pg_database WHERE datname = current_database()", null, cancellationToken))
            {
                await grant.ExecuteAsync($"GRANT CONNECT ON DATABASE {Identifier(database)} TO {Identifier(role)}", database, "CONNECT", cancellationToken);
            }

            foreach (var scope in scopes.DistinctBy(s => s.Schema))
            {
                var usage = await grant.FindAsync("SELECT has_schema_privilege($1::name, oid, 'USAGE') FROM pg_namespace WHERE nspname = $2", scope.Schema, cancellationToken)
                    ?? throw new CredentialRequestException(UnknownResourceCode, $"Schema '{scope.Schema}' does not exist in database '{database}' (resource '{scope.Resource}').");
                if (!usage)
                {
                    await grant.ExecuteAsync($"GRANT USAGE ON SCHEMA {Identifier(scope.Schema)} TO {Identifier(role)}", scope.Resource, "USAGE", cancellationToken);
                }
            }

            var privileges = string.Join(", ", grants.Privileges);
            foreach (var scope in scopes)
            {
                var on = scope.Table is { } table ? $"TABLE {Qualified(scope.Schema, table)}" : $"ALL TABLES IN SCHEMA {Identifier(scope.Schema)}";
                await grant.ExecuteAsync($"GRANT {privileges} ON {on} TO {Identifier(role)}", scope.Resource, privileges, cancellationToken);
            }

            if (grants.Privileges.Contains("INSERT"))
            {
                foreach (var sequence in await OwnedSequencesAsync(connection, transaction, scopes, cancellationToken))
                {
                    await grant.ExecuteAsync($"GRANT USAGE ON SEQUENCE {sequence} TO {Identifier(role)}", sequence, "USAGE", cancellationToken);
                }
            }

            await transaction.CommitAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Sequences behind <c>serial</c> columns of the granted tables: INSERT into such a table calls nextval, which
    /// needs USAGE on the sequence. Identity columns need nothing; other sequences are never included.
    /// </summary>
    private static async Task<List<string>> OwnedSequencesAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<GrantScope> scopes, CancellationToken cancellationToken)
    {
        var sequences = new List<string>();
        foreach (var scope in scopes)
        {
            await using var command = new NpgsqlCommand("""
                SELECT sn.nspname, s.relname
                FROM pg_depend d
                JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
                JOIN pg_namespace sn ON sn.oid = s.relnamespace
                JOIN pg_class t ON t.oid = d.refobjid
                JOIN pg_namespace tn ON tn.oid = t.relnamespace
                WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass AND d.deptype = 'a'
                  AND tn.nspname = $1 AND ($2::text IS NULL OR t.relname = $2)
                ORDER BY 1, 2
                """, connection, transaction);
            command.Parameters.Add(LoginRoleCatalog.Text(scope.Schema));
            command.Parameters.Add(scope.Table is { } table ? LoginRoleCatalog.Text(table) : new NpgsqlParameter { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text, Value = DBNull.Value });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var name = Qualified(reader.GetString(0), reader.GetString(1));
                if (!sequences.Contains(name))
                {
                    sequences.Add(name);
                }
            }
        }

        return sequences;
    }

    /// <summary>Runs grant statements in one database and turns refusals into caller-facing errors.</summary>
    private sealed class Grant(NpgsqlConnection connection, NpgsqlTransaction transaction, string role, List<PostgresNotice> refusals)
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
