using Microsoft.Extensions.Logging;

namespace AgentAccessBroker.Mcp;

/// <summary>
/// What the MCP server needs, read from the environment the agent's MCP client sets: <c>AAB_SERVER</c>,
/// <c>AAB_TOKEN</c> (the agent's token) and <c>AAB_TASK_TOKEN</c> (from <c>aab task start</c>). The tokens are never
/// logged; <see cref="ToString"/> redacts them.
/// </summary>
public sealed record AgentMcpOptions(Uri Server, string AgentToken, string TaskToken)
{
    public const string DefaultServer = "http://127.0.0.1:8470";

    /// <summary>How long one broker call may take before the tool answers with an error instead of hanging.</summary>
    public TimeSpan BrokerTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long opening a connection to the broker may take. Kept well below <see cref="BrokerTimeout"/> so an
    /// unreachable host (packets dropped, nothing refused) is reported in seconds, while a slow mint still has time.
    /// </summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>How often <c>check_request</c> asks the broker while it waits.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The least severe log level written to stderr (<c>AAB_LOG_LEVEL</c>: trace, debug, information, warning, error).</summary>
    public LogLevel LogLevel { get; init; } = LogLevel.Information;

    /// <summary>Reads the options; a missing or malformed variable is an <see cref="InvalidOperationException"/> whose message says what to set.</summary>
    public static AgentMcpOptions FromEnvironment()
    {
        var server = Environment.GetEnvironmentVariable("AAB_SERVER");
        server = string.IsNullOrWhiteSpace(server) ? DefaultServer : server.Trim();
        var token = Environment.GetEnvironmentVariable("AAB_TOKEN");
        var task = Environment.GetEnvironmentVariable("AAB_TASK_TOKEN");
        if (string.IsNullOrWhiteSpace(token) || string.IsNullOrWhiteSpace(task))
        {
            var missing = string.Join(" and ", new[] { ("AAB_TOKEN", token), ("AAB_TASK_TOKEN", task) }.Where(v => string.IsNullOrWhiteSpace(v.Item2)).Select(v => v.Item1));
            throw new InvalidOperationException($"{missing} not set: the MCP server needs AAB_TOKEN (the agent's token from 'aab agent add') and AAB_TASK_TOKEN (from 'aab task start') in its environment.");
        }

        // An MCP client that cannot expand ${VAR} (unset variable, or a client without expansion) passes it on literally.
        if (new[] { ("AAB_SERVER", server), ("AAB_TOKEN", token), ("AAB_TASK_TOKEN", task) }.FirstOrDefault(v => v.Item2.Contains("${", StringComparison.Ordinal)) is { Item1: { } literal })
        {
            throw new InvalidOperationException($"{literal} holds an unexpanded placeholder: export {literal} in the shell that starts the agent's MCP client, or write the value into its MCP configuration.");
        }

        if (!Uri.TryCreate(server.EndsWith('/') ? server : server + "/", UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new InvalidOperationException($"AAB_SERVER '{server}' is not an http(s) URL such as {DefaultServer}.");
        }

        var level = Environment.GetEnvironmentVariable("AAB_LOG_LEVEL");
        var logLevel = LogLevel.Information;
        if (!string.IsNullOrWhiteSpace(level) && (!Enum.TryParse(level.Trim(), ignoreCase: true, out logLevel) || !Enum.IsDefined(logLevel)))
        {
            throw new InvalidOperationException($"AAB_LOG_LEVEL '{level}' is not one of trace, debug, information, warning, error, critical, none.");
        }

        return new AgentMcpOptions(uri, token.Trim(), task.Trim()) { LogLevel = logLevel };
    }

    public override string ToString() => $"AgentMcpOptions {{ Server = {Server}, tokens redacted }}";
}
