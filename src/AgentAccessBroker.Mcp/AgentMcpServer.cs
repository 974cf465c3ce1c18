using System.Text.Json.Nodes;
using AgentAccessBroker.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using ModelContextProtocol.Protocol;

namespace AgentAccessBroker.Mcp;

/// <summary>
/// Runs the MCP server over stdio. stdout carries the protocol and nothing else; every log line goes to stderr, and no
/// log line ever holds a token or a credential.
/// </summary>
public static partial class AgentMcpServer
{
    /// <summary>
    /// The SDK writes whole JSON-RPC messages at trace level, and a grant's tool result holds the credential: its
    /// categories never log below debug, whatever <c>AAB_LOG_LEVEL</c> says.
    /// </summary>
    private const LogLevel SdkFloor = LogLevel.Debug;

    public static async Task RunAsync(AgentMcpOptions options, CancellationToken cancellationToken)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.ColorBehavior = LoggerColorBehavior.Disabled;
            o.TimestampFormat = "HH:mm:ss ";
            o.UseUtcTimestamp = true;
        });
        builder.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.SetMinimumLevel(options.LogLevel);
        builder.Logging.AddFilter("Microsoft", Max(options.LogLevel, LogLevel.Warning));
        builder.Logging.AddFilter("ModelContextProtocol", Max(options.LogLevel, SdkFloor));
        AddTools(builder.Services, options).WithStdioServerTransport();
        using var host = builder.Build();
        LogStarting(host.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(AgentMcpServer).FullName!), options.Server);
        await host.RunAsync(cancellationToken);
    }

    /// <summary>
    /// Registers the broker client and the tools; the caller picks the transport. <paramref name="handler"/> replaces
    /// the HTTP handler (tests); without it, connections time out after <see cref="AgentMcpOptions.ConnectTimeout"/>.
    /// </summary>
    public static IMcpServerBuilder AddTools(IServiceCollection services, AgentMcpOptions options, HttpMessageHandler? handler = null)
    {
        services.AddSingleton(options);
        services.AddSingleton(_ => new BrokerHttpHandler(handler ?? new SocketsHttpHandler { ConnectTimeout = options.ConnectTimeout }, Owned: handler is null));
        services.AddSingleton(sp => new BrokerClient(options.Server, options.AgentToken, options.TaskToken, options.BrokerTimeout, sp.GetRequiredService<BrokerHttpHandler>().Handler));
        services.AddSingleton<IAgentBroker>(sp => new BrokerClientAgentBroker(sp.GetRequiredService<BrokerClient>()));
        return AddAccessTools(services, new AccessToolOptions { PollInterval = options.PollInterval });
    }

    /// <summary>
    /// Registers the MCP server and its tools over whatever <see cref="IAgentBroker"/> the caller registers (scoped per
    /// request over HTTP). The server declares only what it uses: tools, with no list-change notifications (the list
    /// never changes) and no logging capability (logs go to stderr or the broker's log, never to the client).
    /// </summary>
    public static IMcpServerBuilder AddAccessTools(IServiceCollection services, AccessToolOptions toolOptions)
    {
        services.AddSingleton(toolOptions);
        return services
            .AddMcpServer(o =>
            {
                o.ServerInfo = new Implementation { Name = "agent-access-broker", Version = typeof(AgentMcpServer).Assembly.GetName().Version?.ToString(3) ?? "0.1.0" };
                o.ServerInstructions = "Ask AgentAccessBroker for short-lived, task-scoped credentials instead of using standing ones. "
                    + "Call describe_targets first, then request_access for the narrowest resources, actions and duration that the current step needs, "
                    + "use the credential only for that step, call release_access for it when done, and release_access with all=true when the task's work is finished.";
                o.Capabilities = new ServerCapabilities { Tools = new ToolsCapability { ListChanged = false } };
            })
            .WithTools<AccessTools>()
            .WithArgumentChecks()
            .WithMessageFilters(f => f.AddOutgoingFilter(next => (context, cancellationToken) =>
            {
                // The SDK advertises tools.listChanged whenever tools come from DI, and logging to clients that use the
                // initialize handshake; this tool list never changes and this server sends no log messages, so a client
                // told otherwise keeps a stream open or a log pane for nothing.
                if (context.JsonRpcMessage is JsonRpcResponse { Result: JsonObject result } && result["capabilities"] is JsonObject capabilities)
                {
                    capabilities.Remove("logging");
                    (capabilities["tools"] as JsonObject)?.Remove("listChanged");
                }

                return next(context, cancellationToken);
            }));
    }

    private static LogLevel Max(LogLevel a, LogLevel b) => a > b ? a : b;

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "aab mcp serving on stdio for the broker at {Server} (agent and task tokens set)")]
    private static partial void LogStarting(ILogger logger, Uri server);
}
