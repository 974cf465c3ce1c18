namespace AgentAccessBroker.Credentials;

/// <summary>
/// The request cannot be minted as asked (too broad a session policy, an unknown role...). The message is safe to show
/// to the agent and should say how to narrow or fix the request. Never put a secret in it.
/// </summary>
public sealed class CredentialRequestException : Exception
{
    public CredentialRequestException(string code, string message)
        : base(message) => Code = code;

    public CredentialRequestException(string code, string message, Exception innerException)
        : base(message, innerException) => Code = code;

    /// <summary>A stable machine-readable code, for example <c>session_policy_too_large</c>.</summary>
    public string Code { get; }
}
