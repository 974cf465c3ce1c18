namespace AgentAccessBroker.Client;

/// <summary>The broker refused a call (a ProblemDetails) or could not be reached. The message is safe to show.</summary>
public sealed class BrokerClientException : Exception
{
    public BrokerClientException(int status, string code, string message, Exception? inner = null)
        : base(message, inner)
    {
        Status = status;
        Code = code;
    }

    /// <summary>HTTP status, or 0 when the broker was unreachable.</summary>
    public int Status { get; }

    /// <summary>The stable error code from the ProblemDetails (<c>unknown_target</c>), or <c>broker_unreachable</c>.</summary>
    public string Code { get; }
}
