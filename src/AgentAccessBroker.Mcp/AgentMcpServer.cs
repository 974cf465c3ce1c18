using AgentAccessBroker.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Protocol;

namespace AgentAccessBroker.Mcp;

/// <summary>Runs the MCP server over stdio. stdout carries the protocol; every log line goes to stderr.</summary>
public static class AgentMcpServer
{
    public static async Task RunAsync(AgentMcpOptions options, CancellationToken cancellationToken)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.Sources.Clear();
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        AddTools(builder.Services, options).WithStdioServerTransport();
        using var host = builder.Build();
        await host.RunAsync(cancellationToken);
    }

    /// <summary>Registers the broker client and the tools; the caller picks the transport.</summary>
    public static IMcpServerBuilder AddTools(IServiceCollection services, AgentMcpOptions options, HttpMessageHandler? handler = null)
    {
        services.AddSingleton(options);
        services.AddSingleton(_ => new BrokerClient(options.Server, options.AgentToken, options.TaskToken, options.BrokerTimeout, handler));
        return services
            .AddMcpServer(o =>
            {
                o.ServerInfo = new Implementation { Name = "agent-access-broker", Version = typeof(AgentMcpServer).Assembly.GetName().Version?.ToString(3) ?? "0.1.0" };
                o.ServerInstructions = "Ask AgentAccessBroker for short-lived, task-scoped credentials instead of using standing ones. "
                    + "Call describe_targets first, then request_access for the narrowest resources, actions and duration that the current step needs, "
                    + "and release_access when done.";
            })
            .WithTools<AccessTools>();
    }
}
