using System.Globalization;
using System.Security.Cryptography;
using AgentAccessBroker.Credentials;
using AgentAccessBroker.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace AgentAccessBroker.Connectors.PostgreSql.Tests.Support;

/// <summary>Builds targets, providers and databases on the shared throwaway cluster, and inspects it as superuser.</summary>
internal sealed class PostgresTestbed(PostgresFixture postgres)
{
    public DictionarySecretResolver Secrets { get; } = new();

    public PostgresFixture Postgres => postgres;

    public string SuperUser => postgres.Cluster.SuperUser;

    public int Port => postgres.Cluster.Port;

    public TargetSettings Target(string? username = null, string? password = null, int? port = null, IReadOnlyDictionary<string, string>? extra = null)
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["host"] = postgres.Cluster.Host,
            ["port"] = (port ?? postgres.Cluster.Port).ToString(CultureInfo.InvariantCulture),
            ["username"] = username ?? postgres.Cluster.SuperUser,
            ["ssl_mode"] = "disable",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
        {
            settings[key] = value;
        }

        var reference = Secrets.Add(password ?? postgres.Cluster.SuperUserPassword);
        return new TargetSettings("test-postgres", "postgresql", settings, new Dictionary<string, SecretReference> { ["password"] = reference });
    }

    public PostgresLoginRoleProvider Provider(
        Action<PostgresConnectorOptions>? configure = null, CapturingLoggerProvider? logs = null, string? password = null, Func<LoginSecret>? newSecret = null)
    {
        var options = new PostgresConnectorOptions { RetryBaseDelay = TimeSpan.FromMilliseconds(1), ConnectTimeout = TimeSpan.FromSeconds(5) };
        configure?.Invoke(options);
        ILogger<PostgresLoginRoleProvider> logger = logs is null ? NullLogger<PostgresLoginRoleProvider>.Instance : logs.CreateLogger<PostgresLoginRoleProvider>();
        return new PostgresLoginRoleProvider(Options.Create(options), Secrets, TimeProvider.System, logger)
        {
            NewSecret = newSecret ?? (password is null ? LoginSecret.Create : () => LoginSecret.FromPassword(password)),
        };
    }

    /// <summary>A new database, set up by <paramref name="setupSql"/> run as superuser.</summary>
    public async Task<string> CreateDatabaseAsync(string setupSql = "", string? name = null)
    {
        string database;
        if (name is null)
        {
            database = new NpgsqlConnectionStringBuilder(await postgres.CreateDatabaseAsync("jit")).Database!;
        }
        else
        {
            database = name;
            await postgres.Cluster.CreateDatabaseAsync(name);
        }

        if (setupSql.Length > 0)
        {
            await ExecuteAsync(database, setupSql);
        }

        return database;
    }

    public async Task ExecuteAsync(string database, string sql)
    {
        await using var connection = new NpgsqlConnection(postgres.Cluster.ConnectionString(database));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public async Task<T?> ScalarAsync<T>(string database, string sql, params object[] parameters)
    {
        await using var connection = new NpgsqlConnection(postgres.Cluster.ConnectionString(database));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        var result = await command.ExecuteScalarAsync();
        return result is DBNull or null ? default : (T)result;
    }

    public async Task<List<string>> RowsAsync(string database, string sql, params object[] parameters)
    {
        await using var connection = new NpgsqlConnection(postgres.Cluster.ConnectionString(database));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        var rows = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add(string.Join("|", Enumerable.Range(0, reader.FieldCount).Select(i => Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture))));
        }

        return rows;
    }

    public async Task<bool> RoleExistsAsync(string role) =>
        await ScalarAsync<long>("postgres", "SELECT count(*) FROM pg_roles WHERE rolname = $1", role) == 1;

    /// <summary>A non-superuser admin role with CREATEROLE and pg_signal_backend, as the docs recommend for production.</summary>
    public async Task<(string Name, string Password)> CreateBrokerAdminAsync(string extraAttributes = "")
    {
        var name = "broker_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        var password = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        await ExecuteAsync("postgres", $"CREATE ROLE {name} LOGIN CREATEROLE {extraAttributes} PASSWORD '{password}'; GRANT pg_signal_backend TO {name};");
        return (name, password);
    }

    public MintRequest Request(TargetSettings target, IReadOnlyList<string> resources, params string[] actions)
    {
        var now = DateTimeOffset.UtcNow;
        return new MintRequest(Domain.Ids.New("lease"), Domain.Ids.New("task"), "test-agent", target, resources, actions, now, now.AddMinutes(15));
    }

    public static async Task<(MintRequest Request, MintResult Result)> MintAsync(ICredentialProvider provider, MintRequest request)
    {
        var plan = provider.Plan(request);
        return (request, await provider.MintAsync(request, plan, CancellationToken.None));
    }

    public static RevocationRequest Revocation(MintRequest request, RevocationData data) =>
        new(request.LeaseId, request.Target, data, request.NotAfter, DateTimeOffset.UtcNow);

    /// <summary>Round-trips revocation data through JSON, as the broker's store does.</summary>
    public static RevocationData Persisted(RevocationData data) =>
        new(System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, string>>(System.Text.Json.JsonSerializer.Serialize(data.Values))!);

    public static string Role(MintResult result) => result.RevocationData.Require("role");
}
