using Npgsql;

namespace AgentAccessBroker.Connectors.PostgreSql;

/// <summary>
/// Where and as whom the broker connects to administer login roles, with the admin password already resolved.
/// Lives for one operation; <see cref="ToString"/> leaves the password out.
/// </summary>
internal sealed class AdminEndpoint
{
    private readonly string _password;
    private readonly PostgresConnectorOptions _options;

    public AdminEndpoint(PostgresTarget target, string host, int port, string adminDatabase, string password, PostgresConnectorOptions options)
    {
        Target = target;
        Host = host;
        Port = port;
        AdminDatabase = adminDatabase;
        _password = password;
        _options = options;
    }

    public PostgresTarget Target { get; }

    public string Host { get; }

    public int Port { get; }

    public string AdminDatabase { get; }

    /// <summary>Values to scrub from any text that might reach a log or an exception.</summary>
    public IReadOnlyCollection<string> Secrets => [_password];

    public string Describe(string database) => $"{Host}:{Port}/{database}";

    public async Task<NpgsqlConnection> OpenAsync(string database, CancellationToken cancellationToken)
    {
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = Host,
            Port = Port,
            Database = database,
            Username = Target.Username,
            Password = _password,
            Timeout = (int)_options.ConnectTimeout.TotalSeconds,
            CommandTimeout = (int)_options.CommandTimeout.TotalSeconds,
            ApplicationName = _options.ApplicationName,
            Pooling = true,

            // The broker authenticates with a password and relies on TLS (ssl_mode). Under the default "prefer",
            // Npgsql reopens the connection without GSS after any start-up error, which doubled every failed
            // attempt and hid how many retries really happened.
            GssEncryptionMode = GssEncryptionMode.Disable,
        };
        if (Target.SslMode is { } sslMode)
        {
            builder.SslMode = sslMode;
        }

        var connection = new NpgsqlConnection(builder.ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public override string ToString() => $"AdminEndpoint {{ {Target.Username}@{Host}:{Port}/{AdminDatabase}, password redacted }}";
}
