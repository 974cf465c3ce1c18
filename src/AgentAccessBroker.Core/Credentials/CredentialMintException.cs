namespace AgentAccessBroker.Credentials;

/// <summary>
/// The outside system failed to mint for a reason the agent cannot fix by changing the request (its answer, a timeout,
/// misconfiguration). Unlike other exceptions from <see cref="ICredentialProvider.MintAsync"/>, its
/// <see cref="Exception.Message"/> is written for the agent and the operator: it says what failed (call, target, the
/// outside system's error code and request id) and must never contain a secret.
/// </summary>
public sealed class CredentialMintException : Exception
{
    public CredentialMintException(string code, string message, bool nothingCreated, Exception? innerException = null)
        : base(message, innerException)
    {
        Code = code;
        NothingCreated = nothingCreated;
    }

    /// <summary>A stable machine-readable code, for example <c>aws_access_denied</c>.</summary>
    public string Code { get; }

    /// <summary>True when the provider knows nothing outside was created (see <see cref="CredentialRequestException.NothingCreated"/>).</summary>
    public bool NothingCreated { get; }
}
