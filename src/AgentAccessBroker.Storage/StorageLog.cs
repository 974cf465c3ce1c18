using Microsoft.Extensions.Logging;

namespace AgentAccessBroker.Storage;

/// <summary>Log templates of the store. Never log a connection string or a row's contents.</summary>
internal static partial class StorageLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Applied {Provider} schema migration {Version} ({MigrationName})")]
    public static partial void MigrationApplied(ILogger logger, string provider, int version, string migrationName);

    [LoggerMessage(EventId = 2, Level = LogLevel.Debug, Message = "{Provider} schema is at version {Version}")]
    public static partial void SchemaCurrent(ILogger logger, string provider, long version);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "{Provider} schema version {Version} is newer than this broker knows ({KnownVersion}); another node may run a newer release")]
    public static partial void SchemaNewer(ILogger logger, string provider, long version, int knownVersion);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Opened SQLite store {DatabasePath}")]
    public static partial void SqliteOpened(ILogger logger, string databasePath);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "Opened PostgreSQL store on {Host}:{Port}/{Database}")]
    public static partial void PostgresOpened(ILogger logger, string? host, int port, string? database);
}
