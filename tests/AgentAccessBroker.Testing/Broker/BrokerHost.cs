using System.Security.Cryptography;
using AgentAccessBroker.Client;
using AgentAccessBroker.Server.Hosting;
using AgentAccessBroker.Server.WebConsole;

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace AgentAccessBroker.Testing.Broker;

/// <summary>
/// A real broker node for a test: SQLite store in a temp directory, Kestrel on a free loopback port, a policy whose
/// one target is a fresh database on the shared test PostgreSQL cluster, and the bootstrap admin's client.
/// </summary>
public sealed class BrokerHost : IAsyncDisposable
{
    // One broker password for the process: the policy reads it from the environment, which all hosts share.
    public static readonly string BrokerPassword = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
    private static int _instances;
    private Func<Task<BrokerHost>>? _startAgain;
    private bool _stopped;

    private BrokerHost(WebApplication app, Uri address, string dataDirectory, string database, PostgresFixture postgres, BrokerClient admin)
    {
        App = app;
        Address = address;
        DataDirectory = dataDirectory;
        Database = database;
        Postgres = postgres;
        Admin = admin;
    }

    public WebApplication App { get; }

    public Uri Address { get; }

    public string DataDirectory { get; }

    public string Database { get; }

    public PostgresFixture Postgres { get; }

    public BrokerClient Admin { get; }

    /// <param name="configure">Changes the node's options (connection limits, timeouts) before it is built.</param>
    /// <param name="console">How the web console signs people in (single sign-on for browser tests); the default has none.</param>
    /// <param name="configureServices">Replaces broker services after the defaults (a clock for the console's links).</param>
    /// <param name="settings">Configuration keys (<c>Channels:Teams:Enabled</c>) that win over the process's, for this node only.</param>
    /// <param name="policy">Changes the test policy's YAML (adds a target, say) before the node reads it.</param>
    public static async Task<BrokerHost> StartAsync(
        PostgresFixture postgres, string approvalTimeout = "30m", int requestsPerMinute = 10_000, Func<BrokerServerOptions, BrokerServerOptions>? configure = null,
        ConsoleOptions? console = null, Action<IServiceCollection>? configureServices = null, IReadOnlyDictionary<string, string?>? settings = null,
        Func<string, string>? policy = null)
    {
        var (database, brokerRole) = await PrepareDatabaseAsync(postgres);
        var yaml = TestPolicy.Yaml(postgres.Cluster.Port, brokerRole, database, approvalTimeout);
        return await StartNodeAsync(
            postgres, database, policy is null ? yaml : policy(yaml), "sqlite", null, null, requestsPerMinute, configure, console, configureServices, settings);
    }

    /// <summary>Two broker nodes sharing one PostgreSQL store (clustered scheduler) and one policy.</summary>
    /// <param name="sweepInterval">How often each node's reconciliation sweep runs; the broker's default when null.</param>
    /// <param name="approvalTimeout">How long a request waits for approvers before it expires.</param>
    /// <param name="settings">Configuration keys that win over the process's, for both nodes.</param>
    public static async Task<(BrokerHost First, BrokerHost Second)> StartClusterAsync(
        PostgresFixture postgres, TimeSpan? sweepInterval = null, string approvalTimeout = "30m", IReadOnlyDictionary<string, string?>? settings = null)
    {
        var (database, brokerRole) = await PrepareDatabaseAsync(postgres);
        var store = await postgres.CreateDatabaseAsync("aabstore");
        var policy = TestPolicy.Yaml(postgres.Cluster.Port, brokerRole, database, approvalTimeout);
        Func<BrokerServerOptions, BrokerServerOptions>? configure = sweepInterval is { } interval ? o => o with { SweepInterval = interval } : null;
        var first = await StartNodeAsync(postgres, database, policy, "postgres", store, null, 10_000, configure, settings: settings);
        var adminToken = (await File.ReadAllTextAsync(Path.Combine(first.DataDirectory, "admin.token"))).Trim();
        var second = await StartNodeAsync(postgres, database, policy, "postgres", store, adminToken, 10_000, configure, settings: settings);
        return (first, second);
    }

    private static async Task<BrokerHost> StartNodeAsync(
        PostgresFixture postgres, string database, string policyYaml, string store, string? storeConnection, string? adminToken, int requestsPerMinute,
        Func<BrokerServerOptions, BrokerServerOptions>? configure = null, ConsoleOptions? console = null, Action<IServiceCollection>? configureServices = null,
        IReadOnlyDictionary<string, string?>? settings = null, string? dataDirectory = null)
    {
        var data = dataDirectory ?? Directory.CreateTempSubdirectory("aab-server-test-").FullName;
        var policy = Path.Combine(data, "policy.yaml");
        await File.WriteAllTextAsync(policy, policyYaml);
        Environment.SetEnvironmentVariable(TestPolicy.PasswordVariable, BrokerPassword);

        var options = new BrokerServerOptions
        {
            DataDirectory = data,
            PolicyPath = policy,
            Urls = "http://127.0.0.1:0",
            Store = store,
            StoreConnectionString = storeConnection,
            FileLogging = false,
            ConsoleLogLevel = Serilog.Events.LogEventLevel.Warning,
            RequestsPerMinute = requestsPerMinute,
            Console = console ?? new ConsoleOptions(),
        };
        var app = await BrokerServer.BuildAsync(configure is null ? options : configure(options), BrokerConfiguration.FromProcess(overrides: settings), configureServices);
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/");
        var admin = new BrokerClient(address, adminToken ?? (await File.ReadAllTextAsync(Path.Combine(data, "admin.token"))).Trim());
        return new BrokerHost(app, address, data, database, postgres, admin)
        {
            _startAgain = () => StartNodeAsync(postgres, database, policyYaml, store, storeConnection, adminToken, requestsPerMinute, configure, console, configureServices, settings, data),
        };
    }

    /// <summary>Registers an agent and returns its token.</summary>
    public async Task<string> AgentAsync(string id) => (await Admin.RegisterAgentAsync(new RegisterAgentBody(id, "alice"), CancellationToken.None)).Token;

    /// <summary>Registers a person with roles and returns their token.</summary>
    public async Task<string> PersonAsync(string id, params string[] roles) => (await Admin.RegisterPrincipalAsync(new RegisterPrincipalBody(id, roles), CancellationToken.None)).Token;

    public Task<StartedTask> StartTaskAsync(string agent, string description = "Fix the failing billing export: invoice totals are missing") =>
        Admin.StartTaskAsync(new StartTaskBody(agent, description, ["invoices"], "dev", null), CancellationToken.None);

    public BrokerClient ClientFor(string token, string? taskToken = null) => new(Address, token, taskToken);

    /// <summary>Registers an agent, starts a task for it, and returns the agent's client carrying the task token.</summary>
    public async Task<(BrokerClient Agent, StartedTask Task)> AgentWithTaskAsync(string id)
    {
        var token = await AgentAsync(id);
        var task = await StartTaskAsync(id);
        return (ClientFor(token, task.TaskToken), task);
    }

    public AccessRequestBody ReadInvoices(string duration = "15m") =>
        new("app-db", [$"{Database}.public.invoices"], ["SELECT"], "Read invoices to find why the billing export drops totals", duration);

    public static async Task<object?> QueryAsync(string connectionString, string sql)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, Timeout = 10 };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }

    /// <summary>Stops the node as a shutdown would, keeping its data directory for <see cref="StartAgainAsync"/>.</summary>
    public async Task StopAsync()
    {
        if (!_stopped)
        {
            _stopped = true;
            Admin.Dispose();
            await App.StopAsync();
            await App.DisposeAsync();
        }
    }

    /// <summary>Starts a new node on this stopped node's data directory, policy and options: a restart.</summary>
    public async Task<BrokerHost> StartAgainAsync()
    {
        await StopAsync();
        return await _startAgain!();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>A fresh database with an invoices table and an hr table, and a least-privilege broker login for it.</summary>
    public static async Task<(string Database, string BrokerRole)> PrepareDatabaseAsync(PostgresFixture postgres)
    {
        var n = Interlocked.Increment(ref _instances);
        var database = $"app{n}_{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}";
        var brokerRole = $"aab_broker_{database}";
        await postgres.Cluster.CreateDatabaseAsync(database);
        await using var connection = new NpgsqlConnection(postgres.Cluster.ConnectionString(database));
        await connection.OpenAsync();
        var sql = $"""
            CREATE ROLE {brokerRole} LOGIN CREATEROLE PASSWORD '{BrokerPassword}';
            GRANT pg_signal_backend TO {brokerRole};
            GRANT CONNECT ON DATABASE {database} TO {brokerRole} WITH GRANT OPTION;
            CREATE TABLE public.invoices (id serial PRIMARY KEY, customer text NOT NULL, total numeric(12,2));
            INSERT INTO public.invoices (customer, total) SELECT 'customer ' || g, g FROM generate_series(1, 7) g;
            CREATE SCHEMA hr;
            CREATE TABLE hr.salaries (employee text PRIMARY KEY, salary numeric(12,2));
            GRANT USAGE ON SCHEMA public, hr TO {brokerRole} WITH GRANT OPTION;
            GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public, hr TO {brokerRole} WITH GRANT OPTION;
            GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {brokerRole} WITH GRANT OPTION;
            """;
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
        return (database, brokerRole);
    }
}
