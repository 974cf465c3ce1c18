using AgentAccessBroker.Client;
using AgentAccessBroker.Testing;
using AgentAccessBroker.Testing.Broker;

namespace AgentAccessBroker.Mcp.Tests.Harness;

/// <summary>A real broker, agent-a registered, and a task a human started for it: what an MCP server is configured with.</summary>
internal sealed class BrokerWithTask : IAsyncDisposable
{
    private BrokerWithTask(BrokerHost host, string agentToken, StartedTask task)
    {
        Host = host;
        AgentToken = agentToken;
        Task = task;
    }

    public BrokerHost Host { get; }

    public string AgentToken { get; }

    public StartedTask Task { get; }

    /// <summary>The options <c>aab mcp</c> would read from its environment.</summary>
    public AgentMcpOptions Options => new(Host.Address, AgentToken, Task.TaskToken);

    public static async Task<BrokerWithTask> StartAsync(PostgresFixture postgres)
    {
        var host = await BrokerHost.StartAsync(postgres);
        var token = await host.AgentAsync("agent-a");
        return new BrokerWithTask(host, token, await host.StartTaskAsync("agent-a"));
    }

    public ValueTask DisposeAsync() => Host.DisposeAsync();
}
