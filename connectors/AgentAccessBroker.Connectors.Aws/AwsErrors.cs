using System.Net;
using AgentAccessBroker.Connectors.Aws.Iam;
using Amazon.Runtime;
using Polly.Timeout;

namespace AgentAccessBroker.Connectors.Aws;

/// <summary>Which AWS failures are worth retrying: throttling, server faults, timeouts and broken connections.</summary>
internal static class AwsErrors
{
    // AWS SDKs' list of throttling codes. Note IAM's "LimitExceeded" is a size/quota error, not throttling.
    private static readonly HashSet<string> ThrottlingCodes = new(StringComparer.Ordinal)
    {
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException", "TooManyRequestsException",
        "ProvisionedThroughputExceededException", "TransactionInProgressException", "RequestLimitExceeded",
        "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled", "SlowDown", "PriorRequestNotComplete",
        "EC2ThrottledException",
    };

    public static bool IsThrottlingCode(string? code) => code is not null && ThrottlingCodes.Contains(code);

    /// <summary>
    /// Whether <paramref name="exception"/> is a failure of the AWS call itself (as opposed to a bug or the caller
    /// cancelling): AWS error responses, timeouts and broken connections.
    /// </summary>
    public static bool IsCallFailure(Exception exception, CancellationToken callerToken) =>
        exception is IamException or AmazonServiceException or TimeoutRejectedException or HttpRequestException or IOException
        || (exception is OperationCanceledException && !callerToken.IsCancellationRequested);

    /// <remarks>An <see cref="OperationCanceledException"/> reaching here was not the caller's (the pipeline checks
    /// that first), so it is the SDK's or HttpClient's own timeout.</remarks>
    public static bool IsTransient(Exception exception) => exception switch
    {
        IamException iam => iam.IsTransient,
        AmazonServiceException aws when IsThrottlingCode(aws.ErrorCode) => true,
        AmazonServiceException aws when (int)aws.StatusCode >= 500 || aws.StatusCode == HttpStatusCode.TooManyRequests => true,
        AmazonServiceException { InnerException: HttpRequestException or IOException or TimeoutRejectedException } => true,
        TimeoutRejectedException or HttpRequestException or IOException or OperationCanceledException => true,
        _ => false,
    };

    /// <summary>A one-line description with no secrets, for logs and lease errors.</summary>
    public static string Describe(Exception exception) => exception switch
    {
        IamException iam => $"{iam.Code} (HTTP {(int)iam.Status})",
        AmazonServiceException aws => $"{aws.ErrorCode ?? aws.GetType().Name} (HTTP {(int)aws.StatusCode})",
        TimeoutRejectedException or OperationCanceledException => "timeout",
        _ => exception.GetType().Name,
    };
}
