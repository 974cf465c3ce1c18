using System.Net.Sockets;
using Npgsql;

namespace AgentAccessBroker.Connectors.PostgreSql;

/// <summary>Sorts PostgreSQL failures into transient faults (retry) and everything else, and describes them safely.</summary>
internal static class PostgresFaults
{
    // SQLSTATEs worth retrying: the server is starting, stopping, overloaded or lost the connection, or a concurrent
    // change got in the way (including XX000 "tuple concurrently updated" from a GRANT/REVOKE outside the broker). 2BP01 appears when a dependency showed up between DROP OWNED and DROP ROLE; the next
    // attempt finds it in pg_shdepend and removes it.
    private static readonly HashSet<string> TransientStates = new(StringComparer.Ordinal)
    {
        "57P01", "57P02", "57P03", "57P05", "58000", "58030", "40001", "40P01", "55P03", "55006", "2BP01",
    };

    public static bool IsTransient(Exception exception) => exception switch
    {
        PostgresOperationException operation => operation.IsTransient,
        PostgresException { SqlState: "XX000", MessageText: "tuple concurrently updated" } => true,
        PostgresException postgres => IsTransientState(postgres.SqlState),
        NpgsqlException npgsql => npgsql.IsTransient || npgsql.InnerException is SocketException or IOException or TimeoutException,
        TimeoutException or SocketException => true,
        _ => false,
    };

    public static bool IsTransientState(string sqlState) =>
        TransientStates.Contains(sqlState) || sqlState.StartsWith("08", StringComparison.Ordinal) || sqlState.StartsWith("53", StringComparison.Ordinal);

    /// <summary>A short description without statement text, details or secrets, fit for logs and exception messages.</summary>
    public static string Describe(Exception exception, IReadOnlyCollection<string> secrets) => Scrub(exception switch
    {
        PostgresOperationException operation => operation.Message,
        AgentAccessBroker.Credentials.CredentialRequestException request => $"{request.Code}: {request.Message}",
        PostgresException postgres => $"{postgres.SqlState}: {postgres.MessageText}",
        NpgsqlException { InnerException: SocketException socket } npgsql => $"{npgsql.Message} ({socket.SocketErrorCode})",
        NpgsqlException { InnerException: TimeoutException } npgsql => $"{npgsql.Message} (timed out)",
        NpgsqlException npgsql => npgsql.Message,
        TimeoutException => "timed out",
        _ => $"{exception.GetType().Name}: {exception.Message}",
    }, secrets);

    /// <summary>
    /// Wraps an infrastructure failure. No Npgsql exception is ever attached as the inner exception: a
    /// <see cref="PostgresException"/> keeps the failed statement (its <c>BatchCommand</c>), which is where a password
    /// verifier would sit. Only their socket or timeout cause is kept, and other exceptions (bugs) as they are.
    /// </summary>
    public static PostgresOperationException Wrap(string operation, Exception exception, IReadOnlyCollection<string> secrets)
    {
        var inner = exception switch
        {
            NpgsqlException { InnerException: SocketException or TimeoutException } npgsql => npgsql.InnerException,
            NpgsqlException or PostgresOperationException => null,
            _ => exception,
        };
        return new PostgresOperationException(
            $"{operation} failed: {Describe(exception, secrets)}",
            (exception as PostgresException)?.SqlState ?? (exception as PostgresOperationException)?.SqlState,
            IsTransient(exception),
            inner);
    }

    private static string Scrub(string text, IReadOnlyCollection<string> secrets)
    {
        foreach (var secret in secrets.Where(s => s.Length > 0))
        {
            text = text.Replace(secret, "[redacted]", StringComparison.Ordinal);
        }

        return text;
    }
}
