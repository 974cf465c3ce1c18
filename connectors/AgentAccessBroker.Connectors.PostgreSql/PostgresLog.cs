using Microsoft.Extensions.Logging;

namespace AgentAccessBroker.Connectors.PostgreSql;

/// <summary>Log templates of the connector. Values logged are role names, servers, counts and safe fault descriptions: never a password.</summary>
internal static partial class PostgresLog
{
    [LoggerMessage(EventId = 4100, Level = LogLevel.Information,
        Message = "Minted PostgreSQL login role {Role} on {Server} with {Privileges} in {DatabaseCount} database(s), valid until {ValidUntil:O}")]
    public static partial void RoleMinted(this ILogger logger, string role, string server, string privileges, int databaseCount, DateTimeOffset validUntil);

    [LoggerMessage(EventId = 4101, Level = LogLevel.Warning,
        Message = "Minting PostgreSQL login role {Role} failed ({Fault}); rolling back what was created")]
    public static partial void MintFailed(this ILogger logger, string role, string fault);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Error,
        Message = "Rolling back PostgreSQL login role {Role} failed ({Fault}); the lease's revocation must remove it")]
    public static partial void RollbackFailed(this ILogger logger, string role, string fault);

    [LoggerMessage(EventId = 4110, Level = LogLevel.Information,
        Message = "Revoked PostgreSQL login role {Role} on {Server}: {TerminatedSessions} session(s) terminated, owned objects and privileges removed in {DatabaseCount} database(s), role dropped")]
    public static partial void RoleRevoked(this ILogger logger, string role, string server, int terminatedSessions, int databaseCount);

    [LoggerMessage(EventId = 4111, Level = LogLevel.Information,
        Message = "PostgreSQL login role {Role} on {Server} is already gone; {TerminatedSessions} orphaned session(s) terminated")]
    public static partial void RoleAlreadyGone(this ILogger logger, string role, string server, int terminatedSessions);

    [LoggerMessage(EventId = 4112, Level = LogLevel.Information,
        Message = "Database {Database} no longer exists; nothing of role {Role} left to remove there")]
    public static partial void DatabaseGone(this ILogger logger, string role, string database);

    [LoggerMessage(EventId = 4120, Level = LogLevel.Warning,
        Message = "PostgreSQL {Operation} hit a transient fault ({Fault}); attempt {Attempt} failed, retrying in {Delay}")]
    public static partial void Retrying(this ILogger logger, string operation, string fault, int attempt, TimeSpan delay);
}
