using System.Reflection;
using AgentAccessBroker.Connectors.PostgreSql.Tests.Support;
using AgentAccessBroker.Credentials;
using AgentAccessBroker.Testing;
using Npgsql;
using Xunit.Abstractions;

namespace AgentAccessBroker.Connectors.PostgreSql.Tests;

/// <summary>
/// Runs the whole conformance suite against a real server of your choice:
/// <c>AAB_LIVE=1 AAB_PG_LIVE_CONNECTION="Host=db.example;Port=5432;Username=aab_broker;Database=postgres"
/// AAB_PG_LIVE_PASSWORD=...</c>, optionally <c>AAB_PG_LIVE_TABLE=db.schema.table</c> (a table the admin role may grant
/// SELECT on; without it a probe table is created in the admin database's public schema and dropped afterwards).
/// </summary>
public sealed class PostgresLoginRoleLiveTests(ITestOutputHelper output)
{
    [SkippableFact]
    public async Task Conformance_AgainstLiveServer_Passes()
    {
        var connection = Environment.GetEnvironmentVariable("AAB_PG_LIVE_CONNECTION");
        var password = Environment.GetEnvironmentVariable("AAB_PG_LIVE_PASSWORD");
        // Reported as skipped, never as passed, when the live environment is not configured.
        Skip.If(Environment.GetEnvironmentVariable("AAB_LIVE") != "1" || string.IsNullOrEmpty(connection) || password is null, "set AAB_LIVE=1, AAB_PG_LIVE_CONNECTION (Host=...;Port=...;Username=...;Database=...) and AAB_PG_LIVE_PASSWORD to run the PostgreSQL conformance suite against a live server.");

        var server = new NpgsqlConnectionStringBuilder(connection) { Password = password };
        var adminDatabase = server.Database ?? PostgresTarget.DefaultAdminDatabase;
        var table = Environment.GetEnvironmentVariable("AAB_PG_LIVE_TABLE");
        var probe = table is null ? "aab_live_probe_" + Guid.NewGuid().ToString("N")[..12] : null;
        if (probe is not null)
        {
            await ExecuteAsync(server, adminDatabase, $"CREATE TABLE public.{probe} (id int)");
            table = $"{adminDatabase}.public.{probe}";
        }

        try
        {
            var suite = new Suite(server, adminDatabase, table!);
            var facts = typeof(CredentialProviderConformance).GetMethods(BindingFlags.Public | BindingFlags.Instance)
                .Where(m => m.GetCustomAttribute<FactAttribute>() is not null)
                .ToList();
            Assert.NotEmpty(facts);
            foreach (var fact in facts)
            {
                await (Task)fact.Invoke(suite, null)!;
                output.WriteLine($"passed: {fact.Name}");
            }
        }
        finally
        {
            if (probe is not null)
            {
                await ExecuteAsync(server, adminDatabase, $"DROP TABLE IF EXISTS public.{probe}");
            }
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnectionStringBuilder server, string database, string sql)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(server.ConnectionString) { Database = database }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private sealed class Suite : PostgresLoginRoleConformanceBase
    {
        private readonly DictionarySecretResolver _secrets = new();
        private readonly TargetSettings _target;

        public Suite(NpgsqlConnectionStringBuilder server, string adminDatabase, string table)
        {
            Table = table;
            var settings = new Dictionary<string, string>
            {
                ["host"] = server.Host!,
                ["port"] = server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["username"] = server.Username!,
                ["admin_database"] = adminDatabase,
            };
            if (server.SslMode != SslMode.Prefer)
            {
                settings["ssl_mode"] = server.SslMode.ToString().ToLowerInvariant().Replace("verifyca", "verify-ca").Replace("verifyfull", "verify-full");
            }

            _target = new TargetSettings("live-postgres", "postgresql", settings, new Dictionary<string, SecretReference> { ["password"] = _secrets.Add(server.Password!) });
        }

        protected override string Table { get; }

        protected override TargetSettings Target => _target;

        protected override ICredentialProvider CreateProvider() =>
            new PostgresLoginRoleProvider(
                Microsoft.Extensions.Options.Options.Create(new PostgresConnectorOptions()),
                _secrets,
                TimeProvider.System,
                Microsoft.Extensions.Logging.Abstractions.NullLogger<PostgresLoginRoleProvider>.Instance);
    }
}
