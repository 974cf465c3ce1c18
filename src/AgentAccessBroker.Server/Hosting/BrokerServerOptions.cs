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

    /// <summary>
    /// Most connections held at once (HTTP/1.1 keep-alive and idle ones included); above it new connections are
    /// closed at once. Null: the open-files limit minus a reserve of 1,024 for the store, logs and outbound calls. A
    /// configured value is never allowed above that ceiling either, so a connection flood cannot exhaust descriptors.
    /// </summary>
    public long? MaxConcurrentConnections { get; init; }

    /// <summary>Most upgraded (WebSocket) connections at once; the broker serves none today.</summary>
    public long MaxConcurrentUpgradedConnections { get; init; } = 64;

    /// <summary>How long a client may take to send a request's headers, counted from the connection's first byte.</summary>
    public TimeSpan RequestHeadersTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long an idle connection (before its first request and between requests) is kept open.</summary>
    public TimeSpan KeepAliveTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Longest request target (path and query) answered; longer ones get a 414 problem.</summary>
    public int MaxRequestTargetBytes { get; init; } = 8 * 1024;

    /// <summary>Largest total size of a request's headers answered; larger ones get a 431 problem.</summary>
    public int MaxRequestHeadersBytes { get; init; } = 32 * 1024;

    /// <summary>Lowest level written to the console (stderr); the log file always gets Information and above.</summary>
    public Serilog.Events.LogEventLevel ConsoleLogLevel { get; init; } = Serilog.Events.LogEventLevel.Information;

    /// <summary>Write a rolling log file under the data directory.</summary>
    public bool FileLogging { get; init; } = true;

    /// <summary>When set, audit events are also streamed live to this SIEM collector as OCSF (see <c>OcsfHttpSink</c>).</summary>
    public AgentAccessBroker.Server.Audit.SiemSinkOptions? Siem { get; init; }
    /// <summary>MCP over Streamable HTTP at <c>/mcp</c> for remote agents, and how their access tokens are checked.</summary>
    public RemoteMcpOptions Mcp { get; init; } = new();

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
