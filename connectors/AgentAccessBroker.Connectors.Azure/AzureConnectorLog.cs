using Microsoft.Extensions.Logging;

namespace AgentAccessBroker.Connectors.Azure;

/// <summary>Log templates of the Azure connector. None takes a token, secret or response body.</summary>
internal static partial class AzureConnectorLog
{
    [LoggerMessage(EventId = 5100, Level = LogLevel.Warning, Message = "Azure call to {Operation} got HTTP {Status} ({ErrorCode}); retry {Attempt} in {DelayMs} ms")]
    public static partial void RetryingAfterResponse(this ILogger logger, string operation, int status, string errorCode, int attempt, long delayMs);

    [LoggerMessage(EventId = 5101, Level = LogLevel.Warning, Message = "Azure call to {Operation} failed with {ExceptionType}; retry {Attempt} in {DelayMs} ms")]
    public static partial void RetryingAfterException(this ILogger logger, string operation, string exceptionType, int attempt, long delayMs);

    [LoggerMessage(EventId = 5102, Level = LogLevel.Warning, Message = "Azure call to {Operation} returned HTTP {Status} ({ErrorCode}): {ErrorMessage}")]
    public static partial void CallRefused(this ILogger logger, string operation, int status, string errorCode, string errorMessage);

    [LoggerMessage(EventId = 5110, Level = LogLevel.Information, Message = "Created role assignment {AssignmentName} ({Role} at {Scope}) for lease {LeaseId}")]
    public static partial void AssignmentCreated(this ILogger logger, Guid assignmentName, string role, string scope, string leaseId);

    [LoggerMessage(EventId = 5111, Level = LogLevel.Information, Message = "Role assignment {AssignmentName} ({Role} at {Scope}) already existed under this lease's name; treating the PUT as done")]
    public static partial void AssignmentAlreadyCreated(this ILogger logger, Guid assignmentName, string role, string scope);

    [LoggerMessage(EventId = 5112, Level = LogLevel.Information, Message = "Deleted role assignment {AssignmentName} ({Role} at {Scope})")]
    public static partial void AssignmentDeleted(this ILogger logger, Guid assignmentName, string role, string scope);

    [LoggerMessage(EventId = 5113, Level = LogLevel.Information, Message = "Role assignment {AssignmentName} ({Role} at {Scope}) was already gone")]
    public static partial void AssignmentAlreadyGone(this ILogger logger, Guid assignmentName, string role, string scope);

    [LoggerMessage(EventId = 5120, Level = LogLevel.Information, Message = "PIM {RequestType} request {RequestName} ({Role} at {Scope}) is {Status}")]
    public static partial void PimRequest(this ILogger logger, string requestType, Guid requestName, string role, string scope, string status);

    [LoggerMessage(EventId = 5130, Level = LogLevel.Information, Message = "Added application secret {KeyId} ending {EndDateTime:O} for lease {LeaseId}")]
    public static partial void PasswordAdded(this ILogger logger, string keyId, DateTimeOffset endDateTime, string leaseId);

    [LoggerMessage(EventId = 5131, Level = LogLevel.Information, Message = "Removed application secret {KeyId} ({DisplayName})")]
    public static partial void PasswordRemoved(this ILogger logger, string keyId, string displayName);

    [LoggerMessage(EventId = 5140, Level = LogLevel.Information, Message = "Minted Azure access for lease {LeaseId}: {GrantCount} grant(s), mode {Mode}, credential ends {ExpiresAt:O}")]
    public static partial void Minted(this ILogger logger, string leaseId, int grantCount, string mode, DateTimeOffset expiresAt);

    [LoggerMessage(EventId = 5141, Level = LogLevel.Error, Message = "Could not undo the partial mint of lease {LeaseId}; revocation from the lease row will retry")]
    public static partial void MintUndoFailed(this ILogger logger, Exception exception, string leaseId);

    [LoggerMessage(EventId = 5150, Level = LogLevel.Debug, Message = "Health probe of Azure target {Target} failed: {Reason}")]
    public static partial void ProbeFailed(this ILogger logger, string target, string reason);
}
