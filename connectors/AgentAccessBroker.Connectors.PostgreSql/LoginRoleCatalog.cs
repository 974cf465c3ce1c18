using Npgsql;
using NpgsqlTypes;

namespace AgentAccessBroker.Connectors.PostgreSql;

/// <summary>Catalog queries about one login role. All values travel as bind parameters; nothing here builds DDL.</summary>
internal static class LoginRoleCatalog
{
    // A session belongs to the role when it runs under its name or its current oid, or under the oid recorded at mint
    // time once no role holds that oid any more: after a DROP ROLE, pg_stat_activity.usename turns NULL while the
    // orphaned session keeps working, and only usesysid still points at it. The NOT EXISTS guard keeps a recycled
    // oid from ever matching someone else's role.
    // "aab_acl\0" as a number: one lock key for every privilege change the broker makes.
    private const long PrivilegeLockKey = 0x6161625F61636C00;

    //
    // pg_stat_get_activity directly, not the pg_stat_activity view: the view joins every row of pg_authid to name
    // the sessions' users, one sequential scan of all login roles per query (1-2 ms at 10,000 live leases, five times
    // per revocation). "usename = $1" is the same test as "usesysid = the oid named $1", an index lookup.
    private const string SessionsOfRole = """
        FROM pg_stat_get_activity(NULL) AS s
        WHERE s.pid <> pg_backend_pid()
          AND (s.usesysid = (SELECT oid FROM pg_roles WHERE rolname = $1)
               OR s.usesysid = $2
               OR (s.usesysid = $3 AND NOT EXISTS (SELECT 1 FROM pg_roles WHERE oid = $3)))
        """;

    /// <summary>
    /// Serialises the broker's privilege changes within one database until the transaction ends. Concurrent GRANTs or
    /// REVOKEs on the same table (or schema, or database) rewrite the same catalog row and one of them fails with
    /// "tuple concurrently updated"; advisory locks are held by the server, so this also holds across broker nodes.
    /// </summary>
    public static async Task LockPrivilegeChangesAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT pg_advisory_xact_lock($1)", connection, transaction);
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bigint, Value = PrivilegeLockKey });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public static async Task<uint?> FindRoleOidAsync(NpgsqlConnection connection, string role, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT oid FROM pg_roles WHERE rolname = $1", connection);
        command.Parameters.Add(Text(role));
        return await command.ExecuteScalarAsync(cancellationToken) is uint oid ? oid : null;
    }

    public static async Task<bool> RoleExistsAsync(NpgsqlConnection connection, string role, CancellationToken cancellationToken) =>
        await FindRoleOidAsync(connection, role, cancellationToken) is not null;

    public static async Task<bool> IsSuperuserAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT rolsuper FROM pg_roles WHERE rolname = current_user", connection);
        return await command.ExecuteScalarAsync(cancellationToken) is true;
    }

    // Terminates the sessions of SessionsOfRole ($4: how long to wait for each, in ms): how many ended, how many were found.
    private const string TerminateSessions = $"SELECT count(*) FILTER (WHERE pg_terminate_backend(s.pid, $4)), count(*) {SessionsOfRole}";

    private const string CountSessions = $"SELECT count(*) {SessionsOfRole}";

    private const string DescribeRole = """
        SELECT oid, rolcanlogin, COALESCE(rolvaliduntil <= now(), false), COALESCE(rolvaliduntil::text, 'never')
        FROM pg_roles WHERE rolname = $1
        """;

    /// <summary>Terminates the role's sessions, waiting up to <paramref name="timeout"/> for each; returns how many were ended.</summary>
    public static async Task<int> TerminateSessionsAsync(
        NpgsqlConnection connection, string role, uint? oid, uint? recordedOid, TimeSpan timeout, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(TerminateSessions, connection);
        AddSessionParameters(command.Parameters, role, oid, recordedOid, timeout);
        int terminated, found;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            await reader.ReadAsync(cancellationToken);
            (terminated, found) = (checked((int)reader.GetInt64(0)), checked((int)reader.GetInt64(1)));
        }

        if (found == 0)
        {
            // No session to wait for. The callers cut new logins off before this read, and the verification counts
            // sessions again on its own.
            return 0;
        }

        ThrowIfStillRunning(role, await CountSessionsAsync(connection, role, oid, recordedOid, cancellationToken), timeout);
        return terminated;
    }

    /// <summary>pg_terminate_backend returns false when its timeout passes; the session may still be running queries.</summary>
    public static void ThrowIfStillRunning(string role, long remaining, TimeSpan timeout)
    {
        if (remaining > 0)
        {
            throw new PostgresOperationException(
                $"{remaining} session(s) of role {role} were still running {timeout.TotalMilliseconds:0} ms after being told to terminate.",
                sqlState: null,
                isTransient: true);
        }
    }

    public static async Task<long> CountSessionsAsync(
        NpgsqlConnection connection, string role, uint? oid, uint? recordedOid, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(CountSessions, connection);
        AddSessionParameters(command.Parameters, role, oid, recordedOid);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>
    /// The start of a revocation in one round trip, each statement committed on its own before the next runs (error
    /// barriers: the batch is not one transaction), in the order <see cref="LoginRoleRevoker"/> takes them one by one:
    /// the role's oid; NOLOGIN and the password expired together; its sessions terminated; then whether
    /// <paramref name="owner"/> exists and whether the role owns anything or holds a privilege of its own (pg_shdepend).
    /// </summary>
    /// <param name="alter">The <c>ALTER ROLE … NOLOGIN VALID UNTIL 'now'</c> statement, with the role's name quoted.</param>
    /// <exception cref="PostgresException">SQLSTATE 42704 when the role does not exist (never minted, or gone already).</exception>
    public static async Task<CutOff> CutOffAsync(
        NpgsqlConnection connection, string role, string alter, uint? recordedOid, string owner, TimeSpan timeout, CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(connection) { EnableErrorBarriers = true };
        batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT oid FROM pg_roles WHERE rolname = $1") { Parameters = { Text(role) } });
        batch.BatchCommands.Add(new NpgsqlBatchCommand(alter));
        var terminate = new NpgsqlBatchCommand(TerminateSessions);
        AddSessionParameters(terminate.Parameters, role, null, recordedOid, timeout);
        batch.BatchCommands.Add(terminate);
        batch.BatchCommands.Add(new NpgsqlBatchCommand(
            "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1), " +
            "EXISTS (SELECT 1 FROM pg_shdepend WHERE refclassid = 'pg_authid'::regclass AND refobjid = (SELECT oid FROM pg_roles WHERE rolname = $2))")
        {
            Parameters = { Text(owner), Text(role) },
        });

        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        uint? oid = await reader.ReadAsync(cancellationToken) ? reader.GetFieldValue<uint>(0) : null;

        // NextResult passes over statements that return no rows (ALTER ROLE here, DROP ROLE below), and throws the
        // error of any that failed.
        await reader.NextResultAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var (terminated, found) = (checked((int)reader.GetInt64(0)), checked((int)reader.GetInt64(1)));
        await reader.NextResultAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new CutOff(oid, terminated, found, reader.GetBoolean(0), reader.GetBoolean(1));
    }

    /// <summary>
    /// The end of a revocation and its verification in one round trip, each statement committed on its own before the
    /// next runs: DROP ROLE; the sessions terminated again by name and by <paramref name="oid"/> (a login that was
    /// mid-authentication during the first sweep is orphaned now); then what pg_roles says about the role and how many
    /// of its sessions are left, read after both.
    /// </summary>
    /// <param name="drop">The <c>DROP ROLE IF EXISTS …</c> statement, with the role's name quoted.</param>
    public static async Task<Dropped> DropAndInspectAsync(
        NpgsqlConnection connection, string role, string drop, uint oid, uint? recordedOid, TimeSpan timeout, CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(connection) { EnableErrorBarriers = true };
        batch.BatchCommands.Add(new NpgsqlBatchCommand(drop));
        var terminate = new NpgsqlBatchCommand(TerminateSessions);
        AddSessionParameters(terminate.Parameters, role, oid, recordedOid, timeout);
        batch.BatchCommands.Add(terminate);
        batch.BatchCommands.Add(new NpgsqlBatchCommand(DescribeRole) { Parameters = { Text(role) } });
        var count = new NpgsqlBatchCommand(CountSessions);
        AddSessionParameters(count.Parameters, role, oid, recordedOid);
        batch.BatchCommands.Add(count);

        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var (terminated, found) = (checked((int)reader.GetInt64(0)), checked((int)reader.GetInt64(1)));
        await reader.NextResultAsync(cancellationToken);
        var state = await reader.ReadAsync(cancellationToken) ? ReadRoleState(reader) : null;
        await reader.NextResultAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new Dropped(terminated, found, state, reader.GetInt64(0));
    }

    /// <summary>
    /// Every database where the role owns objects or holds privileges, read from the shared catalog pg_shdepend. This
    /// catches databases the role reached through PUBLIC's default CONNECT privilege, not just the ones it was granted.
    /// </summary>
    public static async Task<IReadOnlyList<string>> DatabasesWithDependenciesAsync(NpgsqlConnection connection, uint oid, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            SELECT DISTINCT d.datname
            FROM pg_shdepend s JOIN pg_database d ON d.oid = s.dbid
            WHERE s.refclassid = 'pg_authid'::regclass AND s.refobjid = $1 AND d.datallowconn
            ORDER BY d.datname
            """, connection);
        command.Parameters.Add(Oid(oid));
        var databases = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            databases.Add(reader.GetString(0));
        }

        return databases;
    }

    /// <summary>
    /// In one round trip: whether <paramref name="owner"/> exists, and whether anything in any database (or
    /// cluster-wide) is owned by the role <paramref name="oid"/> or grants it a privilege; pg_shdepend records every owned object and ACL entry.
    /// </summary>
    public static async Task<(bool OwnerExists, bool HasDependencies)> CheckBeforeDropAsync(NpgsqlConnection connection, string owner, uint oid, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1), EXISTS (SELECT 1 FROM pg_shdepend WHERE refclassid = 'pg_authid'::regclass AND refobjid = $2)",
            connection);
        command.Parameters.Add(Text(owner));
        command.Parameters.Add(Oid(oid));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return (reader.GetBoolean(0), reader.GetBoolean(1));
    }

    /// <summary>What pg_roles says about the role, or null when there is no such role.</summary>
    public static async Task<RoleState?> DescribeRoleAsync(NpgsqlConnection connection, string role, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(DescribeRole, connection);
        command.Parameters.Add(Text(role));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadRoleState(reader) : null;
    }

    private static RoleState ReadRoleState(NpgsqlDataReader reader) =>
        new(reader.GetFieldValue<uint>(0), reader.GetBoolean(1), reader.GetBoolean(2), reader.GetString(3));

    public static NpgsqlParameter Text(string value) => new() { NpgsqlDbType = NpgsqlDbType.Text, Value = value };

    public static NpgsqlParameter Oid(uint? value) => new() { NpgsqlDbType = NpgsqlDbType.Oid, Value = value is { } v ? v : DBNull.Value };

    private static void AddSessionParameters(NpgsqlParameterCollection parameters, string role, uint? oid, uint? recordedOid, TimeSpan? timeout = null)
    {
        parameters.Add(Text(role));
        parameters.Add(Oid(oid));
        parameters.Add(Oid(recordedOid));
        if (timeout is { } wait)
        {
            parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bigint, Value = (long)wait.TotalMilliseconds });
        }
    }

    /// <param name="PasswordExpired">True when VALID UNTIL is set and already passed.</param>
    /// <param name="ValidUntil">VALID UNTIL as the server prints it, or <c>never</c>.</param>
    public sealed record RoleState(uint Oid, bool CanLogin, bool PasswordExpired, string ValidUntil);

    /// <summary>What <see cref="CutOffAsync"/> found: the role's oid, its sessions ended and found, and the checks before DROP ROLE.</summary>
    public sealed record CutOff(uint? Oid, int Terminated, int Found, bool OwnerExists, bool HasDependencies);

    /// <summary>What <see cref="DropAndInspectAsync"/> found: sessions ended and found after the drop, then the role (null: gone) and its sessions left.</summary>
    public sealed record Dropped(int Terminated, int Found, RoleState? State, long Sessions);
}
