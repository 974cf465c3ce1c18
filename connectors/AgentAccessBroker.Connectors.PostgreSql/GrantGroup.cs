using System.Security.Cryptography;
using System.Text;
using AgentAccessBroker.Credentials;
using Npgsql;
using NpgsqlTypes;
using static AgentAccessBroker.Connectors.PostgreSql.PostgresQuoting;

namespace AgentAccessBroker.Connectors.PostgreSql;

/// <summary>
/// The broker-owned group roles that hold table privileges: one NOLOGIN role per distinct (database, objects,
/// privileges), named <c>aabg_&lt;hash&gt;</c>, created the first time a lease needs it and granted on exactly those
/// objects. Lease roles are members, so a table's ACL gains one entry per distinct grant, never one per lease.
/// </summary>
/// <remarks>
/// The object set is resolved when the lease is minted: <c>db.schema</c> means the tables, views and foreign tables that
/// exist then, so a table created later yields a different set and a different group, and no older lease gains it.
/// Every mint checks (read-only, from the catalogs) that the group still holds everything it should and grants what is
/// missing, under the broker's privilege lock: a crash between creating the group and granting, or an outside REVOKE,
/// is repaired by the next mint. Groups are never dropped by revocation (other leases share them); an unused group
/// holds no login and no member.
/// </remarks>
internal static class GrantGroup
{
    public const string Prefix = "aabg_";

    private const string RelationKinds = "('r','v','m','f','p')";

    /// <summary>The group's name: a hash of what it grants, so equal grants share one group on every broker node.</summary>
    public static string NameFor(string database, IReadOnlyList<string> privileges, IEnumerable<string> schemas, IEnumerable<(string Schema, string Name)> objects, IEnumerable<(string Schema, string Name)> sequences)
    {
        var key = new StringBuilder("aab-grant-group-v1\n").Append(database).Append('\n')
            .AppendJoin(',', privileges).Append('\n')
            .AppendJoin('\u0001', schemas.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)).Append('\n')
            .AppendJoin('\u0001', objects.Select(o => o.Schema + "\u0002" + o.Name).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)).Append('\n')
            .AppendJoin('\u0001', sequences.Select(o => o.Schema + "\u0002" + o.Name).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));
        return Prefix + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key.ToString())).AsSpan(0, 20));
    }

    /// <summary>Creates and grants the group for <paramref name="grants"/> in <paramref name="database"/> as needed; returns its name.</summary>
    public static async Task<string> EnsureAsync(AdminEndpoint endpoint, string database, RequestedGrants grants, CancellationToken cancellationToken)
    {
        var scopes = grants.Scopes.Where(s => s.Database == database).ToList();
        NpgsqlConnection connection;
        try
        {
            connection = await endpoint.OpenAsync(database, cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState is "3D000")
        {
            throw new CredentialRequestException(LoginRoleMinter.UnknownResourceCode, $"Database '{database}' does not exist on the target; check the resource name.");
        }
        catch (PostgresException e) when (e.SqlState is "42501")
        {
            throw new CredentialRequestException(LoginRoleMinter.BrokerLacksPrivilegeCode, $"The broker's admin role may not connect to database '{database}'.");
        }

        await using (connection)
        {
            var objects = new List<GrantedObject>();
            foreach (var scope in scopes)
            {
                if (!await SchemaExistsAsync(connection, scope.Schema, cancellationToken))
                {
                    throw new CredentialRequestException(LoginRoleMinter.UnknownResourceCode, $"Schema '{scope.Schema}' does not exist in database '{database}' (resource '{scope.Resource}').");
                }

                objects.AddRange(await ResolveAsync(connection, scope, cancellationToken));
            }

            objects = objects.DistinctBy(o => o.Oid).ToList();
            var sequences = grants.Privileges.Contains("INSERT") ? await OwnedSequencesAsync(connection, objects, cancellationToken) : [];
            var schemas = scopes.Select(s => s.Schema).Distinct(StringComparer.Ordinal).ToList();
            var group = NameFor(database, grants.Privileges, schemas, objects.Select(o => (o.Schema, o.Name)), sequences.Select(o => (o.Schema, o.Name)));

            await CreateIfMissingAsync(connection, group, database, grants.Privileges, objects.Count, cancellationToken);
            var missing = await MissingAsync(connection, group, database, schemas, objects, sequences, grants.Privileges, cancellationToken);
            if (missing.Any)
            {
                await GrantAsync(connection, database, group, missing, grants.Privileges, cancellationToken);
            }

            return group;
        }
    }

    private sealed record GrantedObject(uint Oid, string Schema, string Name, string Resource);

    private sealed record Missing(bool Connect, IReadOnlyList<string> Schemas, IReadOnlyList<GrantedObject> Objects, IReadOnlyList<GrantedObject> Sequences)
    {
        public bool Any => Connect || Schemas.Count > 0 || Objects.Count > 0 || Sequences.Count > 0;
    }

    private static async Task<bool> SchemaExistsAsync(NpgsqlConnection connection, string schema, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT 1 FROM pg_namespace WHERE nspname = $1", connection);
        command.Parameters.Add(LoginRoleCatalog.Text(schema));
        return await command.ExecuteScalarAsync(cancellationToken) is not null;
    }

    private static async Task<List<GrantedObject>> ResolveAsync(NpgsqlConnection connection, GrantScope scope, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"""
            SELECT c.oid, c.relname, c.relkind IN {RelationKinds}
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = $1 AND ($2::text IS NULL OR c.relname = $2) AND ($2::text IS NOT NULL OR c.relkind IN {RelationKinds})
            ORDER BY c.relname
            """, connection);
        command.Parameters.Add(LoginRoleCatalog.Text(scope.Schema));
        command.Parameters.Add(scope.Table is { } table ? LoginRoleCatalog.Text(table) : new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = DBNull.Value });
        var found = new List<GrantedObject>();
        var notTable = false;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                if (reader.GetBoolean(2))
                {
                    found.Add(new GrantedObject(reader.GetFieldValue<uint>(0), scope.Schema, reader.GetString(1), scope.Resource));
                }
                else
                {
                    notTable = true;
                }
            }
        }

        if (scope.Table is not null && found.Count == 0)
        {
            throw notTable
                ? new CredentialRequestException(RequestedGrants.InvalidResourceCode, $"Privileges cannot be granted on '{scope.Resource}': it is not a table or view.")
                : new CredentialRequestException(LoginRoleMinter.UnknownResourceCode, $"Resource '{scope.Resource}' does not exist on the target; check the name (names are case-sensitive).");
        }

        return found;
    }

    /// <summary>
    /// Sequences behind <c>serial</c> columns of the granted tables: INSERT into such a table calls nextval, which
    /// needs USAGE on the sequence. Identity columns need nothing; other sequences are never included.
    /// </summary>
    private static async Task<List<GrantedObject>> OwnedSequencesAsync(NpgsqlConnection connection, List<GrantedObject> objects, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            SELECT DISTINCT s.oid, sn.nspname, s.relname
            FROM pg_depend d
            JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
            JOIN pg_namespace sn ON sn.oid = s.relnamespace
            WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass AND d.deptype = 'a'
              AND d.refobjid = ANY($1)
            ORDER BY 2, 3
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Oid, Value = objects.Select(o => o.Oid).ToArray() });
        var sequences = new List<GrantedObject>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var schema = reader.GetString(1);
            var name = reader.GetString(2);
            sequences.Add(new GrantedObject(reader.GetFieldValue<uint>(0), schema, name, Qualified(schema, name)));
        }

        return sequences;
    }

    private static async Task CreateIfMissingAsync(NpgsqlConnection connection, string group, string database, IReadOnlyList<string> privileges, int objects, CancellationToken cancellationToken)
    {
        if (await LoginRoleCatalog.RoleExistsAsync(connection, group, cancellationToken))
        {
            return;
        }

        try
        {
            // Roles are cluster-wide, so creating one from the target database's connection is fine.
            await using var create = new NpgsqlCommand(
                $"CREATE ROLE {Identifier(group)} WITH NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS; " +
                $"COMMENT ON ROLE {Identifier(group)} IS {Literal($"AgentAccessBroker grant group: {string.Join(", ", privileges)} on {objects} object(s) in database {database}; lease roles are its members")}",
                connection);
            await create.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState is "42710" or "23505")
        {
            // Another mint (on this node or another) created it at the same moment: the group exists, as wanted.
        }
    }

    private static async Task<Missing> MissingAsync(
        NpgsqlConnection connection, string group, string database, List<string> schemas, List<GrantedObject> objects, List<GrantedObject> sequences,
        IReadOnlyList<string> privileges, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            SELECT NOT has_database_privilege($1::name, current_database(), 'CONNECT'),
                   ARRAY(SELECT s FROM unnest($2::text[]) s WHERE NOT has_schema_privilege($1::name, s, 'USAGE')),
                   ARRAY(SELECT DISTINCT o FROM unnest($3::oid[]) o, unnest($4::text[]) p WHERE NOT has_table_privilege($1::name, o, p)),
                   ARRAY(SELECT q FROM unnest($5::oid[]) q WHERE NOT has_sequence_privilege($1::name, q, 'USAGE'))
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Name, Value = group });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, Value = schemas.ToArray() });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Oid, Value = objects.Select(o => o.Oid).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, Value = privileges.ToArray() });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Oid, Value = sequences.Select(o => o.Oid).ToArray() });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var connect = reader.GetBoolean(0);
        var missingSchemas = reader.GetFieldValue<string[]>(1);
        var missingObjects = reader.GetFieldValue<uint[]>(2).ToHashSet();
        var missingSequences = reader.GetFieldValue<uint[]>(3).ToHashSet();
        return new Missing(connect, missingSchemas, objects.Where(o => missingObjects.Contains(o.Oid)).ToList(), sequences.Where(s => missingSequences.Contains(s.Oid)).ToList());
    }

    private static async Task GrantAsync(NpgsqlConnection connection, string database, string group, Missing missing, IReadOnlyList<string> privileges, CancellationToken cancellationToken)
    {
        var refusals = new List<PostgresNotice>();
        connection.Notice += (_, args) =>
        {
            if (args.Notice.SqlState == LoginRoleMinter.PrivilegeNotGranted)
            {
                refusals.Add(args.Notice);
            }
        };

        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await LoginRoleCatalog.LockPrivilegeChangesAsync(connection, transaction, cancellationToken);
        var grant = new LoginRoleMinter.Grant(connection, transaction, group, refusals);
        if (missing.Connect)
        {
            await grant.ExecuteAsync($"GRANT CONNECT ON DATABASE {Identifier(database)} TO {Identifier(group)}", database, "CONNECT", cancellationToken);
        }

        foreach (var schema in missing.Schemas)
        {
            await grant.ExecuteAsync($"GRANT USAGE ON SCHEMA {Identifier(schema)} TO {Identifier(group)}", $"{database}.{schema}", "USAGE", cancellationToken);
        }

        var list = string.Join(", ", privileges);
        foreach (var table in missing.Objects)
        {
            await grant.ExecuteAsync($"GRANT {list} ON TABLE {Qualified(table.Schema, table.Name)} TO {Identifier(group)}", table.Resource, list, cancellationToken);
        }

        foreach (var sequence in missing.Sequences)
        {
            await grant.ExecuteAsync($"GRANT USAGE ON SEQUENCE {Qualified(sequence.Schema, sequence.Name)} TO {Identifier(group)}", sequence.Resource, "USAGE", cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }
}
