using System.Security.Claims;
using System.Threading.RateLimiting;
using AgentAccessBroker.Actions;
using AgentAccessBroker.Approvals;
using AgentAccessBroker.Audit;
using AgentAccessBroker.Brokering;
using AgentAccessBroker.Client;
using AgentAccessBroker.Credentials;
using AgentAccessBroker.Decisions;
using AgentAccessBroker.Domain;
using AgentAccessBroker.IntentAnalysis;
using AgentAccessBroker.IntentAnalysis.Review;
using AgentAccessBroker.Policy;
using AgentAccessBroker.Server.Audit;
using AgentAccessBroker.Server.Http;
using AgentAccessBroker.Server.Scheduling;
using AgentAccessBroker.Server.WebConsole;
using AgentAccessBroker.Storage;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http.Json;
using Quartz;

namespace AgentAccessBroker.Server.Hosting;

/// <summary>Composes a broker node: store, policy, analyzer, connectors, approvals, scheduler, audit and the /v1 API.</summary>
public static class BrokerServer
{
    /// <summary>Builds a node whose channels and connectors are configured from the process (<see cref="BrokerConfiguration.FromProcess"/>).</summary>
    /// <param name="configureServices">For tests and embedders: replace or add services after the defaults.</param>
    public static Task<WebApplication> BuildAsync(BrokerServerOptions options, Action<IServiceCollection>? configureServices = null, CancellationToken cancellationToken = default) =>
        BuildAsync(options, BrokerConfiguration.FromProcess(), configureServices, cancellationToken);

    /// <param name="options">The host's options (usually bound from <paramref name="configuration"/>'s <c>Broker</c> section).</param>
    /// <param name="configuration">Where channels (<c>Channels:*</c>) and connectors (<c>Connectors:*</c>) bind their options from.</param>
    /// <param name="configureServices">For tests and embedders: replace or add services after the defaults.</param>
    /// <exception cref="BrokerStartupException">Every configuration problem at once, one per line.</exception>
    public static async Task<WebApplication> BuildAsync(
        BrokerServerOptions options, IConfiguration configuration, Action<IServiceCollection>? configureServices = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(configuration);
        CheckConfiguration(options, configuration);
        DataDirectory.Prepare(options);
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ContentRootPath = options.DataDirectory,
            EnvironmentName = "Production",

            // The host's default appsettings.json source would watch the content root (the data directory) for writes,
            // waking a thread for every write SQLite makes to broker.db-wal and scheduler.db-wal; its sources are
            // cleared below anyway.
            Args = ["--hostBuilder:reloadConfigOnChange=false"],
        });
        // Only the broker's configuration decides how it runs: no ASPNETCORE_* variables or other defaults leak in.
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddConfiguration(configuration);
        builder.WebHost.UseUrls(options.Urls);
        var gate = new ConnectionGate(OpenFilesLimit.ConnectionLimit(options.MaxConcurrentConnections, OpenFilesLimit.Current()));
        builder.WebHost.ConfigureKestrel(k => ConfigureKestrel(k, options, gate));
        BrokerLogging.Configure(builder, options);

        var services = builder.Services;
        services.AddSingleton(options);
        services.AddSingleton(gate);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<ISecretResolver, EnvironmentAndFileSecretResolver>();
        BrokerConnectorCatalog.Add(services, configuration);
        BrokerConnectorCatalog.AddApprovalChannels(services, configuration);
        services.AddSingleton(sp => new CredentialProviderRegistry(sp.GetServices<ICredentialProvider>()));
        services.AddSingleton(sp => new ActionVocabularies(sp.GetServices<IActionVocabulary>()));
        services.AddSingleton<PolicyFileWatcher>(sp => StartPolicyWatcher(sp, options));
        services.AddSingleton<IPolicySource>(sp => sp.GetRequiredService<PolicyFileWatcher>());
        services.AddBrokerStore(options.Store, StoreLocation(options));
        services.AddIntentAnalysis(o => ConfigureOutsideReview(o, options));
        services.AddSingleton<IAsyncRequestAssessor>(sp => sp.GetRequiredService<ReviewedAssessor>());
        services.AddSingleton<IHistoryDescriber, HistoryDescriber>();
        services.AddSingleton<IRevocationObserver, AuditedRevocationObserver>();
        services.AddSingleton<PrincipalRegistry>();
        services.AddSingleton<BrokerMetrics>();
        services.AddSingleton<CredentialIssuer>();
        services.AddSingleton<LeaseRevoker>();
        services.AddSingleton<ApprovalAnnouncer>();
        services.AddSingleton<ApprovalDesk>();
        services.AddSingleton<IApprovalDesk>(sp => sp.GetRequiredService<ApprovalDesk>());
        services.AddSingleton<AccessRequestIntake>();
        services.AddSingleton<TaskLifecycle>();
        services.AddSingleton<PrincipalLifecycle>();
        services.AddSingleton<AccessLocks>();
        services.AddSingleton<RevocationSweep>();
        services.AddSingleton(new RevocationRecheckOptions { Interval = options.RevocationRecheckInterval });
        services.AddSingleton<RevocationRecheck>();
        services.AddSingleton<IRevocationScheduler, QuartzRevocationScheduler>();
        services.AddSingleton(sp => AuditSigningKey.LoadOrCreate(options.DataDirectory, ResolveOptional(sp.GetRequiredService<ISecretResolver>(), options.MasterKeyRef)));
        services.AddSingleton<AuditExporter>();
        services.AddSingleton<AgentAccessBroker.Server.Evidence.EvidencePackWriter>();
        if (options.Siem is { } siem)
        {
            services.AddHostedService(sp => new OcsfHttpSink(sp.GetRequiredService<IBrokerStore>(), new HttpClient(), siem, sp.GetRequiredService<ISecretResolver>(),
                Path.Combine(options.DataDirectory, "siem.cursor"), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<OcsfHttpSink>>()));
        }
        ConfigureScheduler(builder, options);
        services.AddHostedService<StartupSweep>();
        services.AddHostedService(sp => new OverdueAttemptWatch(sp.GetRequiredService<RevocationSweep>(), options.AttemptWatchInterval, sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<OverdueAttemptWatch>>()));
        ConfigureHttp(services, options);
        AgentAccessBroker.Server.Mcp.RemoteMcp.Add(services, options);
        if (options.Console.Enabled)
        {
            ConsoleHost.Add(services, options.Console);
        }

        // Last, after everything that registers data protection again (authentication, the console's cookies and
        // antiforgery): its key-ring service would build an XML key ring and warn that it is stored unencrypted.
        foreach (var keyRingStarter in services.Where(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType?.Name == "DataProtectionHostedService").ToList())
        {
            services.Remove(keyRingStarter);
        }

        configureServices?.Invoke(services);

        var app = builder.Build();
        _ = app.Services.GetRequiredService<PolicyFileWatcher>();
        await app.Services.GetRequiredService<IBrokerStore>().MigrateAsync(cancellationToken);
        await BootstrapAdminAsync(app.Services, options, cancellationToken);

        app.Use((context, next) =>
        {
            gate.MarkServed(context.Connection.Id);
            return next(context);
        });
        BrokerLogging.UseRequestLogging(app);
        app.UseExceptionHandler();
        // Every error status that leaves the pipeline without a body (unknown route, wrong method, a chat channel
        // endpoint's refusals) gets a ProblemDetails with a stable code.
        app.UseStatusCodePages(context => Problems.WriteStatusAsync(context.HttpContext));
        app.Use((context, next) => EdgeLimits.CheckAsync(context, next, options));
        if (options.Console.Enabled)
        {
            ConsoleHost.UseHeaders(app);
        }

        app.UseAuthentication();
        AgentAccessBroker.Server.Mcp.RemoteMcp.UseGate(app, options);
        app.UseRateLimiter();
        app.UseAuthorization();
        app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
        BrokerApi.Map(app);
        AgentAccessBroker.Server.Mcp.RemoteMcp.Map(app, options);
        foreach (var channelEndpoints in app.Services.GetServices<IApprovalChannelEndpoints>())
        {
            channelEndpoints.Map(app);
        }

        if (options.Console.Enabled)
        {
            ConsoleHost.Map(app);
        }

        return app;
    }

    /// <summary>The optional second opinion on borderline scores, off unless <c>Broker:ReviewEndpoint</c> is set (its API key by reference).</summary>
    private static void ConfigureOutsideReview(OutsideReviewOptions review, BrokerServerOptions options)
    {
        if (options.ReviewEndpoint is not { } endpoint)
        {
            return;
        }

        review.Enabled = true;
        review.Endpoint = endpoint;
        review.ApiKey = options.ReviewApiKey;
    }

    /// <summary>
    /// Checks the host's options and every channel's and connector's options together, and throws one
    /// <see cref="BrokerStartupException"/> listing all problems, before anything is created on disk.
    /// </summary>
    /// <param name="earlierProblems">Problems found while binding <paramref name="options"/>, reported with the rest.</param>
    /// <param name="policyRequired">False while a quick start is about to write the policy.</param>
    public static void CheckConfiguration(BrokerServerOptions options, IConfiguration configuration, IEnumerable<string>? earlierProblems = null, bool policyRequired = true)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(configuration);
        var problems = new List<string>(earlierProblems ?? []);
        problems.AddRange(options.Validate(policyRequired));
        problems.AddRange(SecretValues(configuration));
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<ISecretResolver, EnvironmentAndFileSecretResolver>();
        BrokerConnectorCatalog.Add(services, configuration);
        BrokerConnectorCatalog.AddApprovalChannels(services, configuration, problems);
        using (var provider = services.BuildServiceProvider())
        {
            try
            {
                provider.GetService<Microsoft.Extensions.Options.IStartupValidator>()?.Validate();
            }
            catch (Exception ex) when (ex is Microsoft.Extensions.Options.OptionsValidationException or AggregateException or InvalidOperationException)
            {
                problems.AddRange(Failures(ex));
            }
        }

        if (problems.Count > 0)
        {
            throw new BrokerStartupException($"The broker's configuration has {problems.Count} problem(s) (see docs/CONFIGURATION.md):\n" + string.Join('\n', problems));
        }
    }

    /// <summary>
    /// Channel and connector keys that would take a secret as a value (<c>BotToken</c>, <c>SigningSecret</c>,
    /// <c>Password</c>...): refused, without repeating the value; their <c>...Ref</c> twins take a reference.
    /// </summary>
    private static IEnumerable<string> SecretValues(IConfiguration configuration) =>
        new[] { BrokerConnectorCatalog.ChannelsSection, BrokerConnectorCatalog.ConnectorsSection }
            .SelectMany(section => configuration.GetSection(section).AsEnumerable(makePathsRelative: false))
            .Where(entry => entry.Value is not null && LooksSecret(entry.Key[(entry.Key.LastIndexOf(':') + 1)..]))
            .Select(entry => $"{entry.Key}: is a secret and is not taken as a value; give it by reference ({entry.Key[(entry.Key.LastIndexOf(':') + 1)..]}Ref: env:NAME or file:PATH).");

    private static bool LooksSecret(string key) =>
        !key.EndsWith("Ref", StringComparison.OrdinalIgnoreCase)
        && (key.EndsWith("Token", StringComparison.OrdinalIgnoreCase) || key.Contains("Secret", StringComparison.OrdinalIgnoreCase)
            || key.Contains("Password", StringComparison.OrdinalIgnoreCase) || key.Contains("ConnectionString", StringComparison.OrdinalIgnoreCase)
            || key.EndsWith("WebhookUrl", StringComparison.OrdinalIgnoreCase));

    private static IEnumerable<string> Failures(Exception exception) => exception switch
    {
        Microsoft.Extensions.Options.OptionsValidationException invalid => invalid.Failures,
        AggregateException many => many.InnerExceptions.SelectMany(Failures),
        _ => [(exception.InnerException ?? exception).Message],
    };

    private static string? ResolveOptional(ISecretResolver secrets, SecretReference? reference)
    {
        if (reference is null)
        {
            return null;
        }

        try
        {
            return secrets.Resolve(reference);
        }
        catch (InvalidOperationException) when (reference.Source == SecretSource.Environment)
        {
            // An unset variable means "not configured" (the default reference names one most deployments leave unset).
            return null;
        }
    }

    /// <summary>
    /// Bounded exposure: connections held by the <see cref="ConnectionGate"/> within the open-files limit (an idle flood
    /// evicts its own oldest connections, it cannot exhaust descriptors nor lock callers out), Kestrel's own limit
    /// above it as a backstop, short header and idle timeouts, and parse limits twice the answered ones so that a
    /// request between the two gets a 414 or 431 problem from <see cref="EdgeLimits"/> rather than Kestrel's bare status.
    /// </summary>
    private static void ConfigureKestrel(Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions kestrel, BrokerServerOptions options, ConnectionGate gate)
    {
        kestrel.AddServerHeader = false;
        kestrel.ConfigureEndpointDefaults(listen => listen.Use(next => connection => gate.RunAsync(connection, next)));
        kestrel.Limits.MaxRequestBodySize = options.MaxRequestBodyBytes;
        kestrel.Limits.MaxConcurrentConnections = gate.Limit + OpenFilesLimit.Backstop;
        kestrel.Limits.MaxConcurrentUpgradedConnections = options.MaxConcurrentUpgradedConnections;
        kestrel.Limits.RequestHeadersTimeout = options.RequestHeadersTimeout;
        kestrel.Limits.KeepAliveTimeout = options.KeepAliveTimeout;
        kestrel.Limits.MaxRequestLineSize = options.MaxRequestTargetBytes * 2;
        kestrel.Limits.MaxRequestHeadersTotalSize = options.MaxRequestHeadersBytes * 2;
    }

    private static PolicyFileWatcher StartPolicyWatcher(IServiceProvider services, BrokerServerOptions options)
    {
        var validate = PolicyLoader.ValidatorFor(services.GetRequiredService<CredentialProviderRegistry>());
        var loaded = PolicyLoader.LoadFile(options.PolicyPath, validate);
        if (loaded.Policy is null)
        {
            throw new BrokerStartupException($"The policy {options.PolicyPath} has {loaded.Problems.Count} problem(s):\n" + string.Join('\n', loaded.Problems));
        }

        var watcher = new PolicyFileWatcher(options.PolicyPath, loaded.Policy, validate, services.GetRequiredService<ILogger<PolicyFileWatcher>>(), services.GetRequiredService<TimeProvider>());
        watcher.ReportNotices(loaded.Notices);
        return watcher;
    }

    private static string StoreLocation(BrokerServerOptions options) => BrokerStoreFactory.NormaliseProvider(options.Store) == "sqlite"
        ? options.SqlitePath
        : options.StoreConnectionString ?? ResolveOptional(new EnvironmentAndFileSecretResolver(), options.StoreConnectionRef)
            ?? throw new BrokerStartupException($"The postgres store needs a connection string: set Broker:StoreConnectionRef (now {options.StoreConnectionRef?.ToString() ?? "unset"}).");

    private static void ConfigureScheduler(WebApplicationBuilder builder, BrokerServerOptions options)
    {
        var sqlite = BrokerStoreFactory.NormaliseProvider(options.Store) == "sqlite";
        var location = sqlite ? SchedulerDatabase.Prepare(options.SchedulerSqlitePath) : StoreLocation(options);
        builder.AddQuartz(q =>
        {
            q.ConfigureScheduler(s => s.GenerateInstanceId = !sqlite);
            q.UsePersistentStore(store =>
            {
                if (sqlite)
                {
                    store.UseSqlite(location);
                }
                else
                {
                    store.UsePostgres(location);
                    store.UseClustering(c =>
                    {
                        c.CheckinInterval = TimeSpan.FromSeconds(7);
                        c.CheckinMisfireThreshold = TimeSpan.FromSeconds(20);
                    });
                }

                store.UseSystemTextJsonSerializer();
                store.ProvisionSchema();
            });
            q.AddJob<ReconcileJob>(j => j.WithIdentity(ReconcileJob.Key).StoreDurably());
            q.AddTrigger(t => t.ForJob(ReconcileJob.Key).WithIdentity("reconcile", "broker")
                .StartAt(DateTimeOffset.UtcNow + options.SweepInterval)
                .WithSimpleSchedule(s => s.WithInterval(options.SweepInterval).RepeatForever().WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount)));
            // Each revoked lease's own cadence is its last verification plus RevocationRecheckInterval; the job only looks
            // for the due ones, as often as the sweep runs (but never more often than that interval).
            var recheckEvery = options.SweepInterval < options.RevocationRecheckInterval ? options.SweepInterval : options.RevocationRecheckInterval;
            q.AddJob<RecheckRevokedJob>(j => j.WithIdentity(RecheckRevokedJob.Key).StoreDurably());
            q.AddTrigger(t => t.ForJob(RecheckRevokedJob.Key).WithIdentity("recheck-revoked", "broker")
                .StartAt(DateTimeOffset.UtcNow + recheckEvery)
                .WithSimpleSchedule(s => s.WithInterval(recheckEvery).RepeatForever().WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount)));
        });
        builder.AddQuartzHostedService(o => o.WaitForJobsToComplete = true);
    }

    private static void ConfigureHttp(IServiceCollection services, BrokerServerOptions options)
    {
        services.ConfigureHttpJsonOptions(o => BrokerJson.Configure(o.SerializerOptions));
        services.AddProblemDetails();
        // Nothing the broker persists is protected by ASP.NET data protection: API callers are checked against token
        // hashes in the store. Only the web console's cookies and antiforgery tokens use it, so its keys stay in memory
        // (a console sign-in ends when the node restarts) and no key is ever written; the key-ring service that would
        // write one is dropped at the end of registration.
        services.AddDataProtection().UseEphemeralDataProtectionProvider();
        services.AddExceptionHandler<BrokerExceptionHandler>();
        // Unreadable bodies must reach the exception handler so they get a ProblemDetails with a code, not an empty 400.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddOpenApi();
        services.AddAuthentication(BearerTokenAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, BearerTokenAuthenticationHandler>(BearerTokenAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(Roles.Agent, p => p.RequireRole(nameof(PrincipalRole.Agent)))
            .AddPolicy(Roles.Approver, p => p.RequireRole(nameof(PrincipalRole.Approver)))
            .AddPolicy(Roles.Admin, p => p.RequireRole(nameof(PrincipalRole.Admin)))
            .AddPolicy(Roles.Auditor, p => p.RequireRole(nameof(PrincipalRole.Auditor), nameof(PrincipalRole.Admin)));
        services.AddRateLimiter(r =>
        {
            r.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http => RateLimitPartition.GetTokenBucketLimiter(
                http.User.FindFirstValue(ClaimTypes.NameIdentifier) ?? "ip:" + http.Connection.RemoteIpAddress,
                _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = options.RequestsPerMinute,
                    TokensPerPeriod = options.RequestsPerMinute,
                    ReplenishmentPeriod = TimeSpan.FromMinutes(1),
                    QueueLimit = 0,
                }));
            r.OnRejected = (context, _) =>
            {
                // The bucket refills every minute; without a hint from the limiter, a minute is when a token is certain.
                var wait = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromMinutes(1);
                context.HttpContext.Response.Headers.RetryAfter = ((long)Math.Ceiling(Math.Max(1, wait.TotalSeconds))).ToString(System.Globalization.CultureInfo.InvariantCulture);
                return new ValueTask(Problems.WriteAsync(context.HttpContext, StatusCodes.Status429TooManyRequests, "rate_limited",
                    $"More than {options.RequestsPerMinute} requests in a minute from this caller; slow down (see Retry-After)."));
            };
        });
    }

    private static async Task BootstrapAdminAsync(IServiceProvider services, BrokerServerOptions options, CancellationToken cancellationToken)
    {
        var store = services.GetRequiredService<IBrokerStore>();
        var principals = await store.ListPrincipalsAsync(cancellationToken);
        if (principals.Any(p => p.Has(PrincipalRole.Admin)))
        {
            return;
        }

        var (_, token) = await services.GetRequiredService<PrincipalRegistry>().RegisterAsync("broker", "admin", PrincipalRole.Admin | PrincipalRole.Auditor, null, cancellationToken);
        OwnerOnlyFile.Write(options.AdminTokenPath, token, overwrite: true);
        services.GetRequiredService<ILoggerFactory>().CreateLogger("AgentAccessBroker.Bootstrap")
            .LogInformation("Created the first admin; its token is in {TokenPath} (owner-only). Use it with the CLI, then create named principals.", options.AdminTokenPath);
    }
}
