using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace AgentAccessBroker.Storage;

/// <summary>Creates the store named in configuration.</summary>
public static class BrokerStoreFactory
{
    /// <summary>The embedded single-node store.</summary>
    public const string Sqlite = "sqlite";

    /// <summary>The store for several nodes on one database.</summary>
    public const string Postgres = "postgres";

    /// <summary>
    /// Creates a store; call <see cref="BrokerStore.MigrateAsync"/> on it before use.
    /// </summary>
    /// <param name="provider"><c>sqlite</c> or <c>postgres</c> (also <c>postgresql</c>), case-insensitive.</param>
    /// <param name="connectionStringOrPath">
    /// For SQLite, the database file path (or a <c>Data Source=...</c> connection string, of which only the file is used);
    /// for PostgreSQL, an Npgsql connection string. A secret: it never appears in logs or exception messages.
    /// </param>
    public static BrokerStore Create(string provider, string connectionStringOrPath, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionStringOrPath);
        return NormaliseProvider(provider) switch
        {
            Sqlite => new SqliteBrokerStore(SqlitePath(connectionStringOrPath), timeProvider, loggerFactory?.CreateLogger<SqliteBrokerStore>()),
            _ => new PostgresBrokerStore(connectionStringOrPath, timeProvider, loggerFactory?.CreateLogger<PostgresBrokerStore>()),
        };
    }

    /// <summary>Returns <see cref="Sqlite"/> or <see cref="Postgres"/>; throws for anything else.</summary>
    public static string NormaliseProvider(string provider) =>
        provider?.Trim().ToLowerInvariant() switch
        {
            Sqlite => Sqlite,
            Postgres or "postgresql" => Postgres,
            _ => throw new ArgumentException($"Unknown store provider '{provider}': use '{Sqlite}' or '{Postgres}'.", nameof(provider)),
        };

    private static string SqlitePath(string value)
    {
        if (!value.Contains('=', StringComparison.Ordinal))
        {
            return value;
        }

        try
        {
            var dataSource = new SqliteConnectionStringBuilder(value).DataSource;
            return string.IsNullOrWhiteSpace(dataSource)
                ? throw new ArgumentException("The SQLite connection string names no Data Source.", nameof(value))
                : dataSource;
        }
        catch (ArgumentException e) when (e.ParamName != nameof(value))
        {
            throw new ArgumentException("The SQLite connection string is not valid.", nameof(value));
        }
    }
}
