namespace AgentAccessBroker.Connectors.PostgreSql;

/// <summary>
/// Behaviour of the <c>postgresql</c> credential provider. Connection settings (host, admin role, password reference)
/// live on each policy target, not here.
/// </summary>
/// <remarks>
/// <para>Security contract of the provider these options tune: a minted login role gets exactly the requested table
/// privileges and a password that expires at the lease end; revocation stops new logins, terminates live sessions,
/// removes owned objects and privileges in every database and drops the role. Passwords are never logged, stored or
/// echoed in exception messages, and only a SCRAM verifier of the password is ever sent to the server.</para>
/// <para>Target settings: <c>host</c> (required), <c>port</c> (default 5432), <c>username</c> (required: the broker's
/// admin role, a superuser or a role with CREATEROLE that is a member of pg_signal_backend and may grant the tables it
/// hands out), <c>password</c> (required, by secret reference only), <c>admin_database</c> (default <c>postgres</c>),
/// <c>ssl_mode</c> (disable, allow, prefer, require, verify-ca, verify-full), <c>owner_role</c> (receives objects the
/// minted role owned, default <c>username</c>).</para>
/// <para>Resources, names taken literally (case-sensitive, no quoting syntax, no dots inside names, at most 63 bytes
/// each): <c>db</c> = every table of schema <c>public</c> in <c>db</c> (never other schemas); <c>db.schema</c> =
/// every table of that schema; <c>db.schema.table</c> = one table. "Every table" means those existing at mint time.
/// USAGE on the schema and CONNECT on the database are added when the role does not already have them. Actions:
/// SELECT, INSERT, UPDATE, DELETE in any letter case; INSERT also grants USAGE on the sequences behind the granted
/// tables' serial columns. PUBLIC's default privileges still apply to every role, as PostgreSQL defines them.</para>
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
