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

    public static bool IsTransient(Exception exception) => exception switch
    {
        IamException iam => iam.IsTransient,
        AmazonServiceException aws when IsThrottlingCode(aws.ErrorCode) => true,
        AmazonServiceException aws when (int)aws.StatusCode >= 500 || aws.StatusCode == HttpStatusCode.TooManyRequests => true,
        AmazonServiceException { InnerException: HttpRequestException or IOException or TimeoutRejectedException } => true,
        TimeoutRejectedException or HttpRequestException or IOException => true,
        _ => false,
    };

    /// <summary>A one-line description with no secrets, for logs and lease errors.</summary>
    public static string Describe(Exception exception) => exception switch
    {
        IamException iam => $"{iam.Code} (HTTP {(int)iam.Status})",
        AmazonServiceException aws => $"{aws.ErrorCode ?? aws.GetType().Name} (HTTP {(int)aws.StatusCode})",
        TimeoutRejectedException => "timeout",
        _ => exception.GetType().Name,
    };
}
