using Microsoft.Extensions.Logging;

namespace AgentAccessBroker.Connectors.GitHub;

/// <summary>Log templates of the GitHub connector. Never pass a private key, app JWT or installation token here.</summary>
internal static partial class GitHubLog
{
    [LoggerMessage(EventId = 4301, Level = LogLevel.Information, Message = "Minted a GitHub installation token for lease {LeaseId}: installation {InstallationId}, repositories {Owner}/{Repositories}, permissions {Permissions}, expires {ExpiresAt:O}")]
    public static partial void Minted(ILogger logger, string leaseId, long installationId, string owner, string repositories, string permissions, DateTimeOffset expiresAt);

    [LoggerMessage(EventId = 4302, Level = LogLevel.Information, Message = "Revoked the GitHub installation token of lease {LeaseId} (GitHub answered {Status})")]
    public static partial void Revoked(ILogger logger, string leaseId, int status);

    [LoggerMessage(EventId = 4303, Level = LogLevel.Warning, Message = "Lease {LeaseId} has no saved GitHub token: if its interrupted mint created one, GitHub revokes it only when shown the token, so it lasts until {LatestExpiry:O} at the latest")]
    public static partial void NoTokenToRevoke(ILogger logger, string leaseId, DateTimeOffset latestExpiry);

    [LoggerMessage(EventId = 4304, Level = LogLevel.Information, Message = "Lease {LeaseId} needs no GitHub revocation: its token expired at {ExpiresAt:O}")]
    public static partial void AlreadyExpired(ILogger logger, string leaseId, DateTimeOffset expiresAt);

    [LoggerMessage(EventId = 4305, Level = LogLevel.Error, Message = "GitHub call {Operation} on {ApiHost} failed: {Reason}")]
    public static partial void CallFailed(ILogger logger, string operation, string apiHost, string reason);

    [LoggerMessage(EventId = 4306, Level = LogLevel.Warning, Message = "GitHub issued a token for lease {LeaseId} that expires at {ExpiresAt:O}, before the lease end {NotAfter:O}; revoked it and refused the mint")]
    public static partial void TokenShorterThanLease(ILogger logger, string leaseId, DateTimeOffset expiresAt, DateTimeOffset notAfter);
}
