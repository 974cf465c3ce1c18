namespace AgentAccessBroker.Server.Hosting;

/// <summary>How a broker node runs. Secrets (the PostgreSQL store's connection string) are read from the environment.</summary>
public sealed record BrokerServerOptions
{
    /// <summary>Where the SQLite store, logs and the bootstrap admin token live.</summary>
    public required string DataDirectory { get; init; }

    public required string PolicyPath { get; init; }

    /// <summary>Listen address, loopback by default: put TLS termination in front when exposing it.</summary>
    public string Urls { get; init; } = "http://127.0.0.1:8470";

    /// <summary><c>sqlite</c> (single node, default) or <c>postgres</c> (several nodes, clustered scheduler).</summary>
    public string Store { get; init; } = "sqlite";

    /// <summary>PostgreSQL store connection string; a secret. Taken from <c>AAB_STORE_CONNECTION</c> when not set.</summary>
    public string? StoreConnectionString { get; init; }

    /// <summary>How often the reconciliation sweep runs after the start-up sweep.</summary>
    public TimeSpan SweepInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Requests per minute per caller before 429.</summary>
    public int RequestsPerMinute { get; init; } = 600;

    /// <summary>Largest accepted request body.</summary>
    public long MaxRequestBodyBytes { get; init; } = 64 * 1024;

    /// <summary>Lowest level written to the console (stderr); the log file always gets Information and above.</summary>
    public Serilog.Events.LogEventLevel ConsoleLogLevel { get; init; } = Serilog.Events.LogEventLevel.Information;

    /// <summary>Write a rolling log file under the data directory.</summary>
    public bool FileLogging { get; init; } = true;

    /// <summary>The web console under <c>/</c>: how people sign in to it.</summary>
    public WebConsole.ConsoleOptions Console { get; init; } = new();

    public string SqlitePath => Path.Combine(DataDirectory, "broker.db");

    /// <summary>
    /// The Quartz job store when the broker runs on SQLite: a file of its own, so the scheduler's writes never wait on
    /// (or make wait) the store's write lock.
    /// </summary>
    public string SchedulerSqlitePath => Path.Combine(DataDirectory, "scheduler.db");

    public string AdminTokenPath => Path.Combine(DataDirectory, "admin.token");

    public override string ToString() => $"BrokerServerOptions {{ DataDirectory = {DataDirectory}, PolicyPath = {PolicyPath}, Urls = {Urls}, Store = {Store} }}";
}
