namespace AgentAccessBroker.Connectors.PostgreSql;

/// <summary>
/// A PostgreSQL operation failed for a reason that is not the caller's (server down, broker misconfigured...).
/// The message is built from safe parts only (operation, server, SQLSTATE, the server's short message with any secret
/// scrubbed): never the statement text, which for <c>CREATE ROLE</c> carries the password verifier.
/// </summary>
internal sealed class PostgresOperationException : Exception
{
    public PostgresOperationException(string message, string? sqlState, bool isTransient, Exception? innerException = null)
        : base(message, innerException)
    {
        SqlState = sqlState;
        IsTransient = isTransient;
    }

    public string? SqlState { get; }

    /// <summary>True when trying again later may succeed.</summary>
    public bool IsTransient { get; }
}
