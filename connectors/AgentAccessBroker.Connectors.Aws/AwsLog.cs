using Microsoft.Extensions.Logging;

namespace AgentAccessBroker.Connectors.Aws;

/// <summary>Log templates of the AWS connector. Never pass a key, secret, session token or policy secret here.</summary>
internal static partial class AwsLog
{
    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "Minted STS session {SessionName} in role {RoleArn} for lease {LeaseId}: {DurationSeconds} s, expires {ExpiresAt:O}")]
    public static partial void Minted(ILogger logger, string leaseId, string roleArn, string sessionName, int durationSeconds, DateTimeOffset expiresAt);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Warning, Message = "STS refused {DurationSeconds} s for role {RoleArn} as role chaining; retrying with 3600 s. Set broker_uses_role_credentials: true on the target to skip this.")]
    public static partial void RoleChainingCap(ILogger logger, string roleArn, int durationSeconds);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Information, Message = "Revoked lease {LeaseId}: role {RoleArn} deny policy now lists {UserId} ({ListedCount} sessions listed, {PrunedCount} expired entries pruned)")]
    public static partial void Revoked(ILogger logger, string leaseId, string roleArn, string userId, int listedCount, int prunedCount);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Information, Message = "Lease {LeaseId} already revoked: role {RoleArn} deny policy covers {UserId}")]
    public static partial void AlreadyRevoked(ILogger logger, string leaseId, string roleArn, string userId);

    [LoggerMessage(EventId = 4005, Level = LogLevel.Information, Message = "Lease {LeaseId} needs no deny entry: its STS credentials expired at {ExpiresAt:O}")]
    public static partial void AlreadyExpired(ILogger logger, string leaseId, DateTimeOffset expiresAt);

    [LoggerMessage(EventId = 4006, Level = LogLevel.Error, Message = "Revocation of lease {LeaseId} fell back to denying every session of role {RoleArn} issued before {IssuedBefore:O}: {Reason}")]
    public static partial void RoleWideFallback(ILogger logger, string leaseId, string roleArn, DateTimeOffset issuedBefore, string reason);

    [LoggerMessage(EventId = 4007, Level = LogLevel.Information, Message = "Pruned {PrunedCount} expired entries from role {RoleArn} deny policy (deleted: {Deleted})")]
    public static partial void Pruned(ILogger logger, string roleArn, int prunedCount, bool deleted);

    [LoggerMessage(EventId = 4008, Level = LogLevel.Warning, Message = "AWS call {Operation} failed ({Reason}); attempt {Attempt} in {DelayMs} ms")]
    public static partial void Retrying(ILogger logger, string operation, int attempt, double delayMs, string reason);

    [LoggerMessage(EventId = 4009, Level = LogLevel.Error, Message = "Revocation observer failed after the role-wide fallback for lease {LeaseId} had been written")]
    public static partial void ObserverFailed(ILogger logger, Exception exception, string leaseId);

    [LoggerMessage(EventId = 4010, Level = LogLevel.Error, Message = "AWS call {Operation} for role {RoleArn} failed: {Reason}")]
    public static partial void CallFailed(ILogger logger, string operation, string roleArn, string reason);

    [LoggerMessage(EventId = 4011, Level = LogLevel.Warning, Message = "A write to role {RoleArn} deny policy got no answer and may still land; the broker re-reads and re-writes the policy at {SettleAt:O}")]
    public static partial void UnansweredWrite(ILogger logger, string roleArn, DateTimeOffset settleAt);

    [LoggerMessage(EventId = 4012, Level = LogLevel.Information, Message = "Re-checked role {RoleArn} deny policy after an unanswered write: {Checked} sessions checked, {Readded} re-added")]
    public static partial void LateWritesSettled(ILogger logger, string roleArn, int @checked, int readded);

    [LoggerMessage(EventId = 4013, Level = LogLevel.Error, Message = "Re-checking role {RoleArn} deny policy after an unanswered write failed; retrying")]
    public static partial void SettleFailed(ILogger logger, Exception exception, string roleArn);

    [LoggerMessage(EventId = 4014, Level = LogLevel.Debug, Message = "Health probe {Operation} for role {RoleArn} failed: {Reason}")]
    public static partial void ProbeFailed(ILogger logger, string operation, string roleArn, string reason);
}
