namespace AgentAccessBroker.Audit;

/// <summary>Stable names of audit event types. Exported as they are; never rename one.</summary>
public static class AuditEventType
{
    public const string AgentRegistered = "agent.registered";
    public const string PrincipalRegistered = "principal.registered";
    public const string TaskStarted = "task.started";
    public const string TaskCompleted = "task.completed";
    public const string RequestReceived = "request.received";
    public const string RequestAssessed = "request.assessed";
    public const string RequestDecided = "request.decided";
    public const string ApprovalRequested = "approval.requested";
    public const string ApprovalVoted = "approval.voted";
    public const string ApprovalRejected = "approval.rejected";
    public const string ApprovalExpired = "approval.expired";
    public const string LeaseMinting = "lease.minting";
    public const string LeaseMinted = "lease.minted";
    public const string LeaseMintFailed = "lease.mint_failed";
    public const string RevocationRequested = "revocation.requested";
    public const string RevocationDone = "revocation.done";
    public const string RevocationVerified = "revocation.verified";
    public const string RevocationFailed = "revocation.failed";
    public const string RevocationFallback = "revocation.fallback";

    /// <summary>A periodic re-verification found a revoked lease's access back; the broker revokes it again.</summary>
    public const string RevocationAccessReturned = "revocation.access_returned";
    public const string PolicyLoaded = "policy.loaded";
    public const string PolicyRejected = "policy.rejected";
    public const string TaskCancelled = "task.cancelled";
    public const string TaskExpired = "task.expired";
    public const string LeaseMarkedDue = "lease.marked_due";
    public const string PrincipalDisabled = "principal.disabled";
    public const string PrincipalEnabled = "principal.enabled";
    public const string PrincipalRemoved = "principal.removed";
    public const string TokenRotated = "principal.token_rotated";
    public const string LockCreated = "lock.created";
    public const string LockLifted = "lock.lifted";
    public const string ClaimRefused = "request.claim_refused";
    public const string ConsoleLinkIssued = "console.link_issued";
    public const string ConsoleSignedIn = "console.signed_in";
}
