using Microsoft.Extensions.Logging;

namespace AgentAccessBroker.Connectors.Slack;

/// <summary>Log templates of the Slack connector. None takes a token, signing secret, response URL or socket URL.</summary>
internal static partial class SlackLog
{
    [LoggerMessage(EventId = 7001, Level = LogLevel.Information, Message = "Approval request {RequestId} announced in Slack channel {Channel} as message {Ts}")]
    public static partial void Announced(ILogger logger, string requestId, string channel, string ts);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Warning, Message = "Approval request {RequestId} not announced in Slack: approver group {ApproverGroup} has no channel and no default channel is set")]
    public static partial void NoChannel(ILogger logger, string requestId, string approverGroup);

    [LoggerMessage(EventId = 7003, Level = LogLevel.Information, Message = "Slack message {Channel}/{Ts} for request {RequestId} updated: {Outcome} with {VoteCount} vote(s)")]
    public static partial void Updated(ILogger logger, string requestId, string channel, string ts, string outcome, int voteCount);

    [LoggerMessage(EventId = 7004, Level = LogLevel.Debug, Message = "Slack message {Channel}/{Ts} for request {RequestId} already shows its outcome; update skipped")]
    public static partial void AlreadyFinal(ILogger logger, string requestId, string channel, string ts);

    [LoggerMessage(EventId = 7005, Level = LogLevel.Warning, Message = "Retrying Slack call (attempt {Attempt}) after status {StatusCode}, waiting {Delay}")]
    public static partial void RetryingCall(ILogger logger, int attempt, int statusCode, TimeSpan delay);

    [LoggerMessage(EventId = 7010, Level = LogLevel.Warning, Message = "Slack interactivity request rejected: {Reason}")]
    public static partial void SignatureRejected(ILogger logger, string reason);

    [LoggerMessage(EventId = 7011, Level = LogLevel.Debug, Message = "Slack interaction ignored: {Reason}")]
    public static partial void InteractionIgnored(ILogger logger, string reason);

    [LoggerMessage(EventId = 7012, Level = LogLevel.Information, Message = "Slack click {ActionId} by {SlackUser} on request {RequestId} queued (via {Source})")]
    public static partial void InteractionQueued(ILogger logger, string requestId, string slackUser, string actionId, string source);

    [LoggerMessage(EventId = 7013, Level = LogLevel.Error, Message = "Slack click on request {RequestId} by {SlackUser} refused: the queue is full")]
    public static partial void QueueFull(ILogger logger, string requestId, string slackUser);

    [LoggerMessage(EventId = 7014, Level = LogLevel.Information, Message = "Slack click by {SlackUser} on request {RequestId} at {ActionTs} is a redelivery; ignored")]
    public static partial void DuplicateClick(ILogger logger, string requestId, string slackUser, string actionTs);

    [LoggerMessage(EventId = 7015, Level = LogLevel.Warning, Message = "Slack user {SlackUser} is not an approver of request {RequestId}; click not counted")]
    public static partial void UnknownApprover(ILogger logger, string requestId, string slackUser);

    [LoggerMessage(EventId = 7016, Level = LogLevel.Information, Message = "Slack user {SlackUser} (approver {ApproverId}) clicked {ActionId} on request {RequestId}: {Result}")]
    public static partial void Voted(ILogger logger, string requestId, string slackUser, string approverId, string actionId, string result);

    [LoggerMessage(EventId = 7017, Level = LogLevel.Error, Message = "Slack click {ActionId} by {SlackUser} on request {RequestId} failed")]
    public static partial void InteractionFailed(ILogger logger, Exception exception, string requestId, string slackUser, string actionId);

    [LoggerMessage(EventId = 7018, Level = LogLevel.Warning, Message = "Reply to Slack user {SlackUser} about request {RequestId} failed")]
    public static partial void ReplyFailed(ILogger logger, Exception exception, string requestId, string slackUser);

    [LoggerMessage(EventId = 7019, Level = LogLevel.Warning, Message = "Slack click by {SlackUser} on request {RequestId} has no response_url; no reply sent")]
    public static partial void NoResponseUrl(ILogger logger, string requestId, string slackUser);

    [LoggerMessage(EventId = 7020, Level = LogLevel.Information, Message = "Slack Socket Mode connected to {Host}")]
    public static partial void SocketConnected(ILogger logger, string host);

    [LoggerMessage(EventId = 7021, Level = LogLevel.Information, Message = "Slack Socket Mode hello received")]
    public static partial void SocketHello(ILogger logger);

    [LoggerMessage(EventId = 7022, Level = LogLevel.Information, Message = "Slack Socket Mode disconnect requested ({Reason}); reconnecting")]
    public static partial void SocketDisconnectRequested(ILogger logger, string reason);

    [LoggerMessage(EventId = 7023, Level = LogLevel.Warning, Message = "Slack Socket Mode connection closed ({CloseStatus})")]
    public static partial void SocketClosed(ILogger logger, string closeStatus);

    [LoggerMessage(EventId = 7024, Level = LogLevel.Warning, Message = "Slack Socket Mode reconnecting in {Delay} (failure {Failures})")]
    public static partial void SocketReconnecting(ILogger logger, TimeSpan delay, int failures);

    [LoggerMessage(EventId = 7025, Level = LogLevel.Error, Message = "Slack Socket Mode connection failed")]
    public static partial void SocketFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 7026, Level = LogLevel.Warning, Message = "Slack Socket Mode message is not JSON; ignored")]
    public static partial void SocketMalformed(ILogger logger);
}
