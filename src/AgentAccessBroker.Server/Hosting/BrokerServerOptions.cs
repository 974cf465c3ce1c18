using AgentAccessBroker.Credentials;
using AgentAccessBroker.Server.Audit;

namespace AgentAccessBroker.Server.Hosting;

/// <summary>
/// How a broker node runs: the <c>Broker</c> section of <see cref="BrokerConfiguration"/> (docs/CONFIGURATION.md).
/// Secrets (the PostgreSQL store's connection string, the audit master key, API keys) are references, resolved when used.
/// </summary>
public sealed record BrokerServerOptions
{
    public const string Section = "Broker";

    /// <summary>Where the SQLite store, logs and the bootstrap admin token live.</summary>
    public required string DataDirectory { get; init; }

    public required string PolicyPath { get; init; }

    /// <summary>Listen address, loopback by default: put TLS termination in front when exposing it.</summary>
    public string Urls { get; init; } = "http://127.0.0.1:8470";

    /// <summary><c>sqlite</c> (single node, default) or <c>postgres</c> (several nodes, clustered scheduler).</summary>
    public string Store { get; init; } = "sqlite";

    /// <summary>PostgreSQL store connection string; a secret, so only for embedders and tests. When null, <see cref="StoreConnectionRef"/> is resolved.</summary>
    public string? StoreConnectionString { get; init; }

    /// <summary>Where the PostgreSQL store's connection string is (<c>env:NAME</c> or <c>file:PATH</c>).</summary>
    public SecretReference? StoreConnectionRef { get; init; } = new(SecretSource.Environment, "AAB_STORE_CONNECTION");

    /// <summary>Where the key that encrypts the audit signing key is (32 bytes, base64); without it, <c>master.key</c> in the data directory.</summary>
    public SecretReference? MasterKeyRef { get; init; } = new(SecretSource.Environment, AuditSigningKey.MasterKeyVariable);

    /// <summary>The optional outside reviewer of borderline scores; off when null.</summary>
    public Uri? ReviewEndpoint { get; init; }

    /// <summary>The outside reviewer's API key, by reference.</summary>
    public SecretReference? ReviewApiKey { get; init; }

    /// <summary>How often the reconciliation sweep runs after the start-up sweep.</summary>
    public TimeSpan SweepInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// The least time between two verifications of a revoked lease whose credential is still valid (an AWS STS session
    /// until its expiry): such leases are re-verified at this interval until the credential expires, and revoked again
    /// if the access came back. Checked for every sweep interval.
    /// </summary>
    public TimeSpan RevocationRecheckInterval { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How often each node looks for revocation attempts past their deadline with no outcome (their node stopped during
    /// the attempt) and retries them: a crash mid-attempt delays a revocation by at most the attempt's deadline plus this.
    /// </summary>
    public TimeSpan AttemptWatchInterval { get; init; } = TimeSpan.FromSeconds(5);

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

    /// <summary>
    /// Binds the <c>Broker</c> section over the defaults, adding every key it cannot use to <paramref name="problems"/>.
    /// </summary>
    public static BrokerServerOptions FromConfiguration(IConfiguration configuration, ICollection<string> problems)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = new BrokerServerOptions { DataDirectory = string.Empty, PolicyPath = string.Empty };
        ConfigurationSectionBinder.Bind(configuration.GetSection(Section), options, problems);
        return options;
    }

    /// <summary>Every problem with these options at once, each as <c>Broker:Key: why</c>; empty when they can run.</summary>
    /// <param name="policyRequired">False while a quick start is about to write the policy.</param>
    public IReadOnlyList<string> Validate(bool policyRequired = true)
    {
        var problems = new List<string>();
        void Check(bool ok, string key, string why)
        {
            if (!ok)
            {
                problems.Add($"{Section}:{key}: {why}");
            }
        }

        Check(!string.IsNullOrWhiteSpace(DataDirectory), nameof(DataDirectory), "is required.");
        Check(!policyRequired || !string.IsNullOrWhiteSpace(PolicyPath), nameof(PolicyPath), "is required.");
        Check(string.IsNullOrWhiteSpace(PolicyPath) || File.Exists(PolicyPath), nameof(PolicyPath), $"no such file: {PolicyPath}.");
        var store = Store?.Trim().ToLowerInvariant();
        Check(store is "sqlite" or "postgres" or "postgresql", nameof(Store), $"'{Store}' is not sqlite or postgres.");
        Check(store is "sqlite" || StoreConnectionString is not null || StoreConnectionRef is not null, nameof(StoreConnectionRef), "the postgres store needs its connection string by reference.");
        Check(Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) is { Length: > 0 } urls && urls.All(u => Uri.TryCreate(u, UriKind.Absolute, out _)),
            nameof(Urls), $"'{Urls}' is not a list of absolute URLs separated by ';'.");
        Check(SweepInterval > TimeSpan.Zero, nameof(SweepInterval), "must be positive.");
        Check(RevocationRecheckInterval >= TimeSpan.FromSeconds(10) && RevocationRecheckInterval <= TimeSpan.FromHours(1), nameof(RevocationRecheckInterval),
            "must be between 00:00:10 and 01:00:00.");
        Check(AttemptWatchInterval > TimeSpan.Zero, nameof(AttemptWatchInterval), "must be positive.");
        Check(RequestsPerMinute > 0, nameof(RequestsPerMinute), "must be at least 1.");
        Check(MaxRequestBodyBytes > 0, nameof(MaxRequestBodyBytes), "must be at least 1.");
        Check(MaxConcurrentConnections is null or > 0, nameof(MaxConcurrentConnections), "must be at least 1 or unset.");
        Check(MaxConcurrentUpgradedConnections >= 0, nameof(MaxConcurrentUpgradedConnections), "must not be negative.");
        Check(RequestHeadersTimeout > TimeSpan.Zero, nameof(RequestHeadersTimeout), "must be positive.");
        Check(KeepAliveTimeout > TimeSpan.Zero, nameof(KeepAliveTimeout), "must be positive.");
        Check(MaxRequestTargetBytes > 0, nameof(MaxRequestTargetBytes), "must be at least 1.");
        Check(MaxRequestHeadersBytes > 0, nameof(MaxRequestHeadersBytes), "must be at least 1.");
        Check(ReviewEndpoint is null || ReviewEndpoint.IsAbsoluteUri, nameof(ReviewEndpoint), "must be an absolute URL.");
        Check(Siem is null || Siem.Endpoint is { IsAbsoluteUri: true }, "Siem:Endpoint", "must be an absolute URL.");
        Check(Console.OidcAuthority is null || !string.IsNullOrEmpty(Console.OidcClientId), "Console:OidcClientId", "is required with Console:OidcAuthority.");
        Check(Mcp.Resource is null || Mcp.Resource.IsAbsoluteUri, "Mcp:Resource", "must be an absolute URL (the public /mcp URL).");
        Check(string.IsNullOrEmpty(Mcp.Authority) || Uri.TryCreate(Mcp.Authority, UriKind.Absolute, out var issuer) && issuer.Scheme is "https" or "http",
            "Mcp:Authority", $"'{Mcp.Authority}' is not the authorization server's issuer URL.");
        Check(!string.IsNullOrWhiteSpace(Mcp.AgentClaim), "Mcp:AgentClaim", "is required.");
        Check(!string.IsNullOrWhiteSpace(Mcp.Scope), "Mcp:Scope", "is required.");
        return problems;
    }

    public override string ToString() => $"BrokerServerOptions {{ DataDirectory = {DataDirectory}, PolicyPath = {PolicyPath}, Urls = {Urls}, Store = {Store} }}";
}
