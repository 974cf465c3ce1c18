namespace AgentAccessBroker.Server.Evidence;

/// <summary>Something an auditor must look at: a failure, a late revocation, a refused or forbidden approval.</summary>
/// <param name="Kind">
/// <c>revocation_failure</c>, <c>lease_past_end</c>, <c>mint_failure</c>, <c>self_approval</c> (must never occur),
/// <c>vote_rejected</c>, <c>approval_expired</c>, <c>revocation_fallback</c>, <c>revocation_access_returned</c>, <c>claim_refused</c>.
/// </param>
/// <param name="Resolution">How it was resolved, or <c>unresolved</c>.</param>
public sealed record EvidenceException(
    string Kind,
    string At,
    string? TaskId,
    string? RequestId,
    string? LeaseId,
    string Detail,
    string Resolution,
    string? ResolvedAt);
