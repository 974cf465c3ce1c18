using Microsoft.AspNetCore.Routing;
using Serilog;
using Serilog.AspNetCore;
using Serilog.Core;
using Serilog.Events;

namespace AgentAccessBroker.Server.Hosting;

/// <summary>
/// The host's Serilog wiring: console (and, when asked, a daily file in the data directory) through Serilog's hosting
/// integration, and one line per request that names the matched route, never the raw path, query or headers, since a
/// client may put a token anywhere in those.
/// </summary>
internal static class BrokerLogging
{
    /// <summary>The request line's property for the route; the raw path ASP.NET Core attaches as a scope is dropped.</summary>
    public const string RouteProperty = "RequestRoute";

    private const string ConsoleTemplate = "[{Timestamp:HH:mm:ss} {Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}";
    private const string FileTemplate = "{Timestamp:O} [{Level:u3}] {SourceContext}: {Message:lj} {Properties:j}{NewLine}{Exception}";

    public static void Configure(WebApplicationBuilder builder, BrokerServerOptions options)
    {
        builder.Logging.ClearProviders();

        // The logger belongs to this host and is disposed with it; the static Log.Logger stays untouched because tests
        // and the demo run several brokers in one process.
        builder.Host.UseSerilog(
            (_, _, configuration) =>
            {
                configuration
                    .MinimumLevel.Information()
                    .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
                    .MinimumLevel.Override("Quartz", LogEventLevel.Warning)
                    .Enrich.FromLogContext()
                    .Enrich.With<RawRequestPathRemover>()
                    .WriteTo.Console(restrictedToMinimumLevel: options.ConsoleLogLevel, standardErrorFromLevel: LogEventLevel.Verbose, outputTemplate: ConsoleTemplate);
                if (options.FileLogging)
                {
                    configuration.WriteTo.File(
                        Path.Combine(options.DataDirectory, "logs", "broker-.log"), rollingInterval: RollingInterval.Day, retainedFileCountLimit: 14, outputTemplate: FileTemplate);
                }
            },
            preserveStaticLogger: true);
    }

    /// <summary>
    /// Request logging: failures at Information (4xx) and Error (5xx); successful requests at Debug, below the host's
    /// minimum level, because the audit log already records every grant, approval and revocation.
    /// </summary>
    public static void UseRequestLogging(WebApplication app) =>
        app.UseSerilogRequestLogging(o =>
        {
            o.Logger = app.Services.GetRequiredService<Serilog.ILogger>();
            o.MessageTemplate = "HTTP {RequestMethod} {" + RouteProperty + "} responded {StatusCode} in {Elapsed:0.0} ms";
            o.GetLevel = (context, _, exception) => exception is not null || context.Response.StatusCode >= 500
                ? LogEventLevel.Error
                : context.Response.StatusCode >= 400 ? LogEventLevel.Information : LogEventLevel.Debug;
            o.GetMessageTemplateProperties = (context, _, elapsed, status) =>
            [
                new LogEventProperty("RequestMethod", new ScalarValue(context.Request.Method)),
                new LogEventProperty(RouteProperty, new ScalarValue(RouteOf(context))),
                new LogEventProperty("StatusCode", new ScalarValue(status)),
                new LogEventProperty("Elapsed", new ScalarValue(elapsed)),
            ];
        });

    /// <summary>The pattern of the endpoint that handled the request (<c>/v1/leases/{id}</c>), or a fixed word.</summary>
    private static string RouteOf(HttpContext context) =>
        context.GetEndpoint() is RouteEndpoint { RoutePattern.RawText: { } pattern } ? pattern : "(no route)";

    /// <summary>
    /// ASP.NET Core opens a logging scope per request that carries the raw path (<c>RequestPath</c>); every event logged
    /// inside a request would write it to the file. The route is enough, and only the request line carries it.
    /// </summary>
    private sealed class RawRequestPathRemover : ILogEventEnricher
    {
        public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory) => logEvent.RemovePropertyIfPresent("RequestPath");
    }
}
