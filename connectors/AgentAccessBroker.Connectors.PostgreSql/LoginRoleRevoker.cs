using AgentAccessBroker.Credentials;
using Microsoft.Extensions.Logging;
using Npgsql;
using static AgentAccessBroker.Connectors.PostgreSql.PostgresQuoting;

namespace AgentAccessBroker.Connectors.PostgreSql;

/// <summary>
/// Takes a login role away, in an order where every step narrows access before the next: no new logins, password
/// expired, live sessions terminated, owned objects and privileges removed in every database, role dropped. Every
/// step tolerates the role being gone already, so a repeated or interrupted revocation simply finishes the job.
/// </summary>
internal sealed class LoginRoleRevoker(PostgresConnectorOptions options, ILogger logger)
{
    private const string UndefinedObject = "42704";
    private const string InvalidCatalogName = "3D000";

    public async Task RevokeAsync(AdminEndpoint endpoint, LoginRoleRevocationData data, CancellationToken cancellationToken)
    {
        var role = Identifier(data.Role);
        var server = endpoint.Describe(endpoint.AdminDatabase);
        await using var admin = await endpoint.OpenAsync(endpoint.AdminDatabase, cancellationToken);

        var oid = await LoginRoleCatalog.FindRoleOidAsync(admin, data.Role, cancellationToken);
        if (oid is null)
        {
            // Never minted, or revoked already. Sessions orphaned by an outside DROP ROLE are still ended by oid.
            var orphans = await TerminateAsync(admin, data, null, cancellationToken);
            logger.RoleAlreadyGone(data.Role, server, orphans);
            return;
        }

        // Stop new logins before ending sessions, so no new session can start after the sweep (one statement: both
        // take effect together).
        await ExecuteIgnoringMissingRoleAsync(admin, $"ALTER ROLE {role} NOLOGIN VALID UNTIL 'now'", cancellationToken);
        var terminated = await TerminateAsync(admin, data, oid, cancellationToken);

        // Read after the sessions ended, so that none can create anything the check would miss.
        var (ownerExists, hasDependencies) = await LoginRoleCatalog.CheckBeforeDropAsync(admin, endpoint.Target.OwnerRole, oid.Value, cancellationToken);
        var databases = await RemoveDependenciesAsync(endpoint, admin, data, oid.Value, ownerExists, hasDependencies, cancellationToken);

        await using (var drop = new NpgsqlCommand($"DROP ROLE IF EXISTS {role}", admin))
        {
            await drop.ExecuteNonQueryAsync(cancellationToken);
        }

        // A login that was mid-authentication during the first sweep would now be orphaned; end it by oid.
        terminated += await TerminateAsync(admin, data, oid, cancellationToken);
        logger.RoleRevoked(data.Role, server, terminated, databases);
    }

    /// <summary>
    /// The same revocation as <see cref="RevokeAsync"/>, step for step and in the same order, then its verification as
    /// <see cref="LoginRoleInspector"/> makes it, on one connection in two round trips instead of eight: NOLOGIN, the
    /// first terminate and the checks before the drop as one batch, DROP ROLE, the second terminate and the
    /// verification's reads as another. Each statement of a batch commits before the next runs, so new logins are cut
    /// off before the sessions are ended, and the verification reads the catalogs after the drop. A role that owns
    /// something, sessions that had to be ended, or a role that is already gone take the extra steps as before.
    /// </summary>
    public async Task<VerificationResult> RevokeAndVerifyAsync(AdminEndpoint endpoint, LoginRoleRevocationData data, CancellationToken cancellationToken)
    {
        var role = Identifier(data.Role);
        var server = endpoint.Describe(endpoint.AdminDatabase);
        LoginRoleCatalog.CutOff cut;
        await using (var admin = await endpoint.OpenAsync(endpoint.AdminDatabase, cancellationToken))
        {
            try
            {
                cut = await LoginRoleCatalog.CutOffAsync(
                    admin, data.Role, $"ALTER ROLE {role} NOLOGIN VALID UNTIL 'now'", data.RoleOid, endpoint.Target.OwnerRole, options.SessionTerminationTimeout, cancellationToken);
            }
            catch (PostgresException e) when (e.SqlState == UndefinedObject)
            {
                cut = new LoginRoleCatalog.CutOff(null, 0, 0, true, false);
            }

            if (cut.Oid is { } oid)
            {
                if (cut.Found > 0)
                {
                    LoginRoleCatalog.ThrowIfStillRunning(
                        data.Role, await LoginRoleCatalog.CountSessionsAsync(admin, data.Role, oid, data.RoleOid, cancellationToken), options.SessionTerminationTimeout);
                }

                var databases = await RemoveDependenciesAsync(endpoint, admin, data, oid, cut.OwnerExists, cut.HasDependencies, cancellationToken);
                var dropped = await LoginRoleCatalog.DropAndInspectAsync(
                    admin, data.Role, $"DROP ROLE IF EXISTS {role}", oid, data.RoleOid, options.SessionTerminationTimeout, cancellationToken);
                if (dropped.Found > 0)
                {
                    LoginRoleCatalog.ThrowIfStillRunning(data.Role, dropped.Sessions, options.SessionTerminationTimeout);
                }

                logger.RoleRevoked(data.Role, server, cut.Terminated + dropped.Terminated, databases);
                return LoginRoleInspector.Judge(endpoint, data, dropped.State, oid, dropped.Sessions);
            }
        }

        // The role is gone (never minted, revoked already, or dropped meanwhile): the step-by-step revocation handles
        // each of these (orphaned sessions included), then the verification reads the catalogs on its own.
        await RevokeAsync(endpoint, data, cancellationToken);
        return await LoginRoleInspector.VerifyAsync(endpoint, data, cancellationToken);
    }

    /// <summary>
    /// Removes what the role owns and the privileges it holds of its own, in every database, when pg_shdepend says
    /// there are any; refuses when the target's owner role is missing. Returns in how many databases it did so.
    /// </summary>
    private async Task<int> RemoveDependenciesAsync(
        AdminEndpoint endpoint, NpgsqlConnection admin, LoginRoleRevocationData data, uint oid, bool ownerExists, bool hasDependencies, CancellationToken cancellationToken)
    {
        var owner = endpoint.Target.OwnerRole;
        if (!ownerExists)
        {
            throw new PostgresOperationException(
                $"owner_role '{owner}' does not exist on {endpoint.Describe(endpoint.AdminDatabase)}; objects owned by {data.Role} cannot be reassigned. Fix the target's owner_role.",
                UndefinedObject,
                isTransient: false);
        }

        // A lease role minted through grant groups owns nothing and holds no privilege of its own: pg_shdepend, which
        // records every owned object and ACL entry in every database (and cluster-wide ones), has no row for it. Then
        // there is nothing for REASSIGN/DROP OWNED to do in any database, and skipping them saves a connection and
        // the privilege lock per database; DROP ROLE still refuses if anything depends on the role.
        var databases = hasDependencies
            ? data.Databases
                .Concat(await LoginRoleCatalog.DatabasesWithDependenciesAsync(admin, oid, cancellationToken))
                .Distinct(StringComparer.Ordinal)
                .ToList()
            : [];
        var role = Identifier(data.Role);
        if (databases.Count > 0 && !await LoginRoleCatalog.IsSuperuserAsync(admin, cancellationToken))
        {
            // REASSIGN/DROP OWNED need the role's privileges, which a CREATEROLE admin holds only as a member. The mint
            // does not make it one (see LoginRoleMinter); only a role that owns something gets here, and DROP ROLE
            // removes the membership again.
            await ExecuteIgnoringMissingRoleAsync(admin, $"GRANT {role} TO CURRENT_USER", cancellationToken);
        }

        foreach (var database in databases)
        {
            if (!await RemoveOwnedAsync(endpoint, database, role, Identifier(owner), data.Role, cancellationToken))
            {
                break;
            }
        }

        return databases.Count;
    }

    /// <summary>REASSIGN OWNED + DROP OWNED act on the current database only, hence one connection per database.</summary>
    /// <returns>False when the role disappeared meanwhile (nothing left to do anywhere).</returns>
    private async Task<bool> RemoveOwnedAsync(
        AdminEndpoint endpoint, string database, string role, string owner, string roleName, CancellationToken cancellationToken)
    {
        NpgsqlConnection connection;
        try
        {
            connection = await endpoint.OpenAsync(database, cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState == InvalidCatalogName)
        {
            logger.DatabaseGone(roleName, database);
            return true;
        }

        await using (connection)
        {
            try
            {
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                await LoginRoleCatalog.LockPrivilegeChangesAsync(connection, transaction, cancellationToken);
                await using var command = new NpgsqlCommand($"REASSIGN OWNED BY {role} TO {owner}; DROP OWNED BY {role}", connection, transaction);
                await command.ExecuteNonQueryAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                return true;
            }
            catch (PostgresException e) when (e.SqlState == UndefinedObject)
            {
                // The owner's existence was checked, so the missing role is ours: dropped concurrently.
                return false;
            }
        }
    }

    private Task<int> TerminateAsync(NpgsqlConnection admin, LoginRoleRevocationData data, uint? oid, CancellationToken cancellationToken) =>
        LoginRoleCatalog.TerminateSessionsAsync(admin, data.Role, oid, data.RoleOid, options.SessionTerminationTimeout, cancellationToken);

    private static async Task ExecuteIgnoringMissingRoleAsync(NpgsqlConnection connection, string statement, CancellationToken cancellationToken)
    {
        try
        {
            await using var command = new NpgsqlCommand(statement, connection);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState == UndefinedObject)
        {
            // Dropped by a concurrent revocation: the goal of this step is already met.
        }
    }
}
