namespace AgentAccessBroker.Connectors.GitHub;

/// <summary>
/// A GitHub API call that failed, described in words safe for the agent, the operator and the audit log: the call,
/// GitHub's status, its (sanitised, cut) error message and request id. Never the token, JWT or key.
/// </summary>
internal sealed class GitHubCallException(string code, int? status, string message, Exception? innerException = null)
    : Exception(message, innerException)
{
    /// <summary>A stable code such as <c>github_rate_limited</c>.</summary>
    public string Code { get; } = code;

    /// <summary>GitHub's HTTP status, or null when no answer came (timeout, connection refused).</summary>
    public int? Status { get; } = status;

    /// <summary>True when GitHub answered with a definite refusal (4xx): nothing was created.</summary>
    public bool Refused => Status is >= 400 and < 500;
}
