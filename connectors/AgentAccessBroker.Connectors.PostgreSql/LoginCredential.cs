using System.Globalization;
using System.Text;
using AgentAccessBroker.Credentials;
using Npgsql;

namespace AgentAccessBroker.Connectors.PostgreSql;

/// <summary>Puts a minted login into the forms tools read as they are.</summary>
internal static class LoginCredential
{
    public const string Kind = "postgresql-login";

    /// <summary>Where and as whom to connect: identifiers, not secrets (the role name is in revocation data by design).</summary>
    private static readonly HashSet<string> PlainVariables = new(StringComparer.Ordinal) { "PGHOST", "PGPORT", "PGDATABASE", "PGUSER", "PGSSLMODE" };

    public static IssuedCredential Create(PostgresTarget target, string database, string role, string password)
    {
        var port = target.Port.ToString(CultureInfo.InvariantCulture);
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["PGHOST"] = target.Host,
            ["PGPORT"] = port,
            ["PGDATABASE"] = database,
            ["PGUSER"] = role,
            ["PGPASSWORD"] = password,
        };
        if (target.SslModeName is { } sslMode)
        {
            environment["PGSSLMODE"] = sslMode;
        }

        var npgsql = new NpgsqlConnectionStringBuilder
        {
            Host = target.Host,
            Port = target.Port,
            Database = database,
            Username = role,
            Password = password,
        };
        if (target.SslMode is { } mode)
        {
            npgsql.SslMode = mode;
        }

        var forms = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["connection_string"] = npgsql.ConnectionString,
            ["uri"] = Uri(target, database, role, password),
            ["libpq"] = Keywords(target, database, role, password),
        };
        return new IssuedCredential(Kind, environment, forms) { PlainVariables = PlainVariables };
    }

    /// <summary><c>postgresql://user:password@host:port/database</c>, every part percent-encoded (libpq URI form).</summary>
    private static string Uri(PostgresTarget target, string database, string role, string password)
    {
        var host = target.Host.Contains(':', StringComparison.Ordinal) ? $"[{target.Host}]" : System.Uri.EscapeDataString(target.Host);
        var uri = $"postgresql://{System.Uri.EscapeDataString(role)}:{System.Uri.EscapeDataString(password)}@{host}:{target.Port.ToString(CultureInfo.InvariantCulture)}/{System.Uri.EscapeDataString(database)}";
        return target.SslModeName is { } sslMode ? $"{uri}?sslmode={sslMode}" : uri;
    }

    /// <summary>libpq keyword/value form (<c>psql "host=... dbname=..."</c>), values single-quoted with \ and ' escaped.</summary>
    private static string Keywords(PostgresTarget target, string database, string role, string password)
    {
        var builder = new StringBuilder();
        Append(builder, "host", target.Host);
        Append(builder, "port", target.Port.ToString(CultureInfo.InvariantCulture));
        Append(builder, "dbname", database);
        Append(builder, "user", role);
        Append(builder, "password", password);
        if (target.SslModeName is { } sslMode)
        {
            Append(builder, "sslmode", sslMode);
        }

        return builder.ToString();
    }

    private static void Append(StringBuilder builder, string key, string value)
    {
        if (builder.Length > 0)
        {
            builder.Append(' ');
        }

        builder.Append(key).Append("='").Append(value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal)).Append('\'');
    }
}
