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

    /// <summary>
    /// True when the provider knows that nothing outside was created or changed (the request was refused before any
    /// outside call, or the outside system answered with a definite refusal). The broker then runs no rollback, so a
    /// refused request can never write anything outside, such as a deny entry for a session that never existed.
    /// False (the default) when the provider cannot be sure.
    /// </summary>
    public bool NothingCreated { get; init; }
}
