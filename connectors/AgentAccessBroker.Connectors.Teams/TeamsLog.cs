using Microsoft.Extensions.Logging;

namespace AgentAccessBroker.Connectors.Teams;

/// <summary>Log templates of the Teams connector. None takes a token, the app password, a webhook URL or a service URL path.</summary>
internal static partial class TeamsLog
{
    [LoggerMessage(EventId = 7101, Level = LogLevel.Information, Message = "Approval request {RequestId} announced in Teams conversation {ConversationId} as activity {ActivityId}")]
    public static partial void Announced(ILogger logger, string requestId, string conversationId, string activityId);

    [LoggerMessage(EventId = 7102, Level = LogLevel.Warning, Message = "Approval request {RequestId} not announced in Teams: approver group {ApproverGroup} has no conversation and no default conversation or service URL is set")]
    public static partial void NoConversation(ILogger logger, string requestId, string approverGroup);

    [LoggerMessage(EventId = 7103, Level = LogLevel.Information, Message = "Teams card {ConversationId}/{ActivityId} for request {RequestId} updated: {Outcome} with {VoteCount} vote(s)")]
    public static partial void Updated(ILogger logger, string requestId, string conversationId, string activityId, string outcome, int voteCount);

    [LoggerMessage(EventId = 7104, Level = LogLevel.Information, Message = "Approval request {RequestId} announced through the Teams Workflows webhook")]
    public static partial void AnnouncedWorkflows(ILogger logger, string requestId);

    [LoggerMessage(EventId = 7105, Level = LogLevel.Information, Message = "Teams Workflows follow-up for request {RequestId} sent: {Outcome}")]
    public static partial void FollowUpSent(ILogger logger, string requestId, string outcome);

    [LoggerMessage(EventId = 7106, Level = LogLevel.Warning, Message = "Retrying Teams {Operation} (attempt {Attempt}) after status {StatusCode}, waiting {Delay}")]
    public static partial void Retrying(ILogger logger, string operation, int attempt, int statusCode, TimeSpan delay);

    [LoggerMessage(EventId = 7110, Level = LogLevel.Warning, Message = "Teams bot request refused: {Code}")]
    public static partial void TokenRefused(ILogger logger, string code);

    [LoggerMessage(EventId = 7111, Level = LogLevel.Information, Message = "Bot Framework signing keys refreshed ({KeyCount} keys, because of {Reason})")]
    public static partial void SigningKeysRefreshed(ILogger logger, int keyCount, string reason);

    [LoggerMessage(EventId = 7112, Level = LogLevel.Warning, Message = "Bot Framework signing keys could not be refreshed ({Error}); keeping the keys already held")]
    public static partial void SigningKeysFailed(ILogger logger, string error);

    [LoggerMessage(EventId = 7115, Level = LogLevel.Warning, Message = "Teams user {AadObjectId} is not an approver of request {RequestId}; click not counted")]
    public static partial void UnknownApprover(ILogger logger, string requestId, string aadObjectId);

    [LoggerMessage(EventId = 7116, Level = LogLevel.Information, Message = "Teams user {AadObjectId} (approver {ApproverId}) clicked {Verb} on request {RequestId}: {Result}")]
    public static partial void Voted(ILogger logger, string requestId, string aadObjectId, string approverId, string verb, string result);
}
