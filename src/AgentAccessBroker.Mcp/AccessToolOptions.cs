namespace AgentAccessBroker.Mcp;

/// <summary>How the tools behave, the same over stdio and HTTP.</summary>
public sealed record AccessToolOptions
{
    /// <summary>
    /// What <c>check_request</c> waits when the agent does not say: below the 60 s request timeout common MCP clients
    /// (the TypeScript SDK's default among them) apply, with room for the broker's answer.
    /// </summary>
    public const int DefaultCheckWaitSeconds = 45;

    /// <summary>How often <c>check_request</c> asks the broker while it waits.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The longest wait <c>check_request</c> accepts; the agent calls again while a request is pending.</summary>
    public TimeSpan MaxCheckWait { get; init; } = TimeSpan.FromSeconds(50);
}
