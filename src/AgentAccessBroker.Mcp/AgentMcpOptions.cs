namespace AgentAccessBroker.Mcp;

/// <summary>
/// What the MCP server needs, read from the environment the agent's MCP client sets: <c>AAB_SERVER</c>,
/// <c>AAB_TOKEN</c> (the agent's token) and <c>AAB_TASK_TOKEN</c> (from <c>aab task start</c>).
/// </summary>
public sealed record AgentMcpOptions(Uri Server, string AgentToken, string TaskToken)
{
    /// <summary>How long one broker call may take before the tool answers with an error instead of hanging.</summary>
    public TimeSpan BrokerTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How often <c>check_request</c> asks the broker while it waits.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(2);

    public static AgentMcpOptions FromEnvironment()
    {
        var server = Environment.GetEnvironmentVariable("AAB_SERVER") ?? "http://127.0.0.1:8470";
        var token = Environment.GetEnvironmentVariable("AAB_TOKEN");
        var task = Environment.GetEnvironmentVariable("AAB_TASK_TOKEN");
        if (string.IsNullOrEmpty(token) || string.IsNullOrEmpty(task))
        {
            throw new InvalidOperationException("Set AAB_TOKEN (the agent's token from 'aab agent add') and AAB_TASK_TOKEN (from 'aab task start') in the MCP server's environment.");
        }

        if (!Uri.TryCreate(server.EndsWith('/') ? server : server + "/", UriKind.Absolute, out var uri))
        {
            throw new InvalidOperationException($"AAB_SERVER '{server}' is not a URL.");
        }

        return new AgentMcpOptions(uri, token, task);
    }

    public override string ToString() => $"AgentMcpOptions {{ Server = {Server}, tokens redacted }}";
}
