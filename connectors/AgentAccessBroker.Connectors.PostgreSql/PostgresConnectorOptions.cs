namespace AgentAccessBroker.Connectors.PostgreSql;

/// <summary>
/// Behaviour of the <c>postgresql</c> credential provider. Connection settings (host, admin role, password reference)
/// live on each policy target, not here.
/// </summary>
/// <remarks>
/// Security contract of the provider these options tune: a minted login role gets exactly the requested table
/// privileges and a password that expires at the lease end; revocation stops new logins, terminates live sessions,
/// removes owned objects and privileges in every database and drops the role. Passwords are never logged, stored or
/// echoed in exception messages, and only a SCRAM verifier of the password is ever sent to the server.
/// </remarks>
public sealed class PostgresConnectorOptions
{
    /// <summary>How long to wait for a connection to the server (whole seconds, 1 to 1024). Default 15 s.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How long one statement may run (whole seconds, 1 to 3600). Default 30 s.</summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long revocation waits for each terminated session to exit (<c>pg_terminate_backend</c> timeout). Default 5 s.</summary>
    public TimeSpan SessionTerminationTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Retries after a transient fault (connection refused, server restarting, too many connections) during
    /// revoke and verify, 0 to 10. Caller and configuration errors are never retried. Default 4.</summary>
    public int MaxRetryAttempts { get; set; } = 4;

    /// <summary>First retry delay; later ones grow exponentially with jitter, capped at 10 s. Default 250 ms.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Shown in <c>pg_stat_activity.application_name</c> for the broker's own sessions.</summary>
    public string ApplicationName { get; set; } = "agent-access-broker";
}
