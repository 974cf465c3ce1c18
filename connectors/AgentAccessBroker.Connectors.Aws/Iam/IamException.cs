using System.Net;

namespace AgentAccessBroker.Connectors.Aws.Iam;

/// <summary>An error IAM returned. The message holds IAM's own text, which never carries credentials.</summary>
internal sealed class IamException : Exception
{
    public IamException(string operation, IamErrorCode error, string code, HttpStatusCode status, string awsMessage, string? requestId)
        : base($"IAM {operation} failed: {code} (HTTP {(int)status}): {awsMessage}" + (requestId is null ? string.Empty : $" [request id {requestId}]"))
    {
        Operation = operation;
        Error = error;
        Code = code;
        Status = status;
        AwsMessage = awsMessage;
        RequestId = requestId;
    }

    /// <summary>IAM's own error text.</summary>
    public string AwsMessage { get; }

    public string Operation { get; }

    public IamErrorCode Error { get; }

    /// <summary>IAM's code as sent (for example <c>Throttling</c>, <c>NoSuchEntity</c>).</summary>
    public string Code { get; }

    public HttpStatusCode Status { get; }

    public string? RequestId { get; }

    /// <summary>Throttling and server-side failures are worth retrying; a caller error is not.</summary>
    public bool IsTransient => Error is IamErrorCode.Throttling or IamErrorCode.ServiceFailure
        || AwsErrors.IsThrottlingCode(Code) || (int)Status >= 500 || Status == HttpStatusCode.TooManyRequests;
}
