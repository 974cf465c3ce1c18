namespace AgentAccessBroker.Credentials;

/// <summary>A revocation that had to reach further than one lease. Plain words, no secrets.</summary>
/// <param name="Provider">The credential provider name (<c>aws</c>).</param>
/// <param name="LeaseId">The lease whose revocation triggered the fallback.</param>
/// <param name="Target">The policy target name.</param>
/// <param name="Reason">Why the exact revocation was not possible.</param>
/// <param name="Effect">What was revoked instead, including who else is affected.</param>
/// <param name="At">When the fallback was written.</param>
public sealed record RevocationFallback(
    string Provider,
    string LeaseId,
    string Target,
    string Reason,
    string Effect,
    DateTimeOffset At);
