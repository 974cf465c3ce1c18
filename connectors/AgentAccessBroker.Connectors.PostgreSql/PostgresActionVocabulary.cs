using AgentAccessBroker.Actions;
using AgentAccessBroker.Domain;

namespace AgentAccessBroker.Connectors.PostgreSql;

/// <summary>
/// SQL privileges and PostgreSQL predefined roles (<c>SELECT</c>, <c>TRUNCATE</c>, <c>CREATEROLE</c>,
/// <c>pg_read_all_data</c>) for the intent analyzer. The connector mints only <see cref="RequestedGrants.AllowedPrivileges"/>;
/// the rest is classified so that a request for it is scored for what it would do. Pure.
/// </summary>
internal sealed class PostgresActionVocabulary : IActionVocabulary
{
    public string Connector => PostgresLoginRoleProvider.ConnectorName;

    public IReadOnlyList<string> MintableActions => RequestedGrants.AllowedPrivileges;

    public ClassifiedAction? Classify(string action) => Sql(action, action.AsSpan().Trim());

    public IReadOnlyList<string> ReadCounterparts(string action) => action.Trim().Length > 0 ? ["SELECT"] : [];

    /// <summary><c>database</c>, <c>database.schema</c> (or <c>database.schema.*</c>) or <c>database.schema.table</c>.</summary>
    public bool RecognisesResource(string resource) => RequestedGrants.IsScope(resource);

    private static ClassifiedAction? Sql(string action, ReadOnlySpan<char> privilege)
    {
        if (privilege.Length > 64)
        {
            return null;
        }

        if (privilege.StartsWith("pg_", StringComparison.OrdinalIgnoreCase))
        {
            if (privilege.Equals("pg_read_all_data", StringComparison.OrdinalIgnoreCase) || privilege.Equals("pg_read_all_stats", StringComparison.OrdinalIgnoreCase)
                || privilege.Equals("pg_monitor", StringComparison.OrdinalIgnoreCase) || privilege.Equals("pg_read_all_settings", StringComparison.OrdinalIgnoreCase))
            {
                return new(action, ActionClass.Read, privilege.Equals("pg_read_all_data", StringComparison.OrdinalIgnoreCase) ? ActionTraits.DataAccess : ActionTraits.None);
            }

            if (privilege.Equals("pg_write_all_data", StringComparison.OrdinalIgnoreCase))
            {
                return new(action, ActionClass.Write, ActionTraits.DataAccess);
            }

            return new(action, ActionClass.PrivilegeChange, ActionTraits.None);
        }

        Span<char> buffer = stackalloc char[privilege.Length];
        var n = 0;
        var lastSpace = true;
        foreach (var ch in privilege)
        {
            var space = char.IsWhiteSpace(ch) || ch == '_';
            if (space && lastSpace)
            {
                continue;
            }

            buffer[n++] = space ? ' ' : char.ToUpperInvariant(ch);
            lastSpace = space;
        }

        ReadOnlySpan<char> p = buffer[..n].TrimEnd(' ');
        var on = p.IndexOf(" ON ", StringComparison.Ordinal);
        if (on > 0)
        {
            p = p[..on];
        }

        return p switch
        {
            "SELECT" => new(action, ActionClass.Read, ActionTraits.DataAccess),
            "USAGE" or "CONNECT" => new(action, ActionClass.Read, ActionTraits.None),
            "INSERT" or "UPDATE" or "COPY" => new(action, ActionClass.Write, ActionTraits.DataAccess),
            "TEMPORARY" or "TEMP" or "CREATE" or "ALTER" or "REFERENCES" or "TRIGGER" or "EXECUTE" or "MAINTAIN" or "CREATE TABLE" or "ALTER TABLE" or "CREATE INDEX" or "CREATE SCHEMA" => new(action, ActionClass.Write, ActionTraits.None),
            "DELETE" => new(action, ActionClass.Destructive, ActionTraits.DataAccess),
            "TRUNCATE" => new(action, ActionClass.Destructive, ActionTraits.DataAccess | ActionTraits.DestroysStore | ActionTraits.KeepsStore),
            "DROP" or "DROP TABLE" or "DROP SCHEMA" or "DROP DATABASE" => new(action, ActionClass.Destructive, ActionTraits.DestroysStore),
            "CREATEROLE" or "CREATE ROLE" or "CREATE USER" or "CREATEUSER" => new(action, ActionClass.PrivilegeChange, ActionTraits.IdentityCreate),
            "GRANT" or "GRANT OPTION" or "WITH GRANT OPTION" or "ALTER ROLE" or "ALTER USER" or "ALTER DEFAULT PRIVILEGES" or "ADMIN OPTION" or "WITH ADMIN OPTION" => new(action, ActionClass.PrivilegeChange, ActionTraits.PolicyAttach),
            "REVOKE" or "SET ROLE" or "SUPERUSER" or "BYPASSRLS" or "REPLICATION" or "CREATEDB" or "LOGIN" or "SET SESSION AUTHORIZATION" => new(action, ActionClass.PrivilegeChange, ActionTraits.None),
            "ALTER SYSTEM" => new(action, ActionClass.PrivilegeChange, ActionTraits.LoggingWeaken),
            "ALL" or "ALL PRIVILEGES" => new(action, ActionClass.Wildcard, ActionTraits.DataAccess | ActionTraits.PolicyAttach),
            _ => null,
        };
    }
}
