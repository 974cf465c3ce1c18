namespace AgentAccessBroker.Brokering;

/// <summary>What one revocation attempt achieved.</summary>
public enum RevocationOutcome
{
    /// <summary>Revoked now and verified.</summary>
    Revoked = 0,
    /// <summary>Nothing to do: already revoked, never minted, or unknown.</summary>
    AlreadyDone = 1,
    /// <summary>Failed; the lease is <c>RevocationFailed</c> with its error and a scheduled retry.</summary>
    Failed = 2,
    /// <summary>Not due yet (a trigger fired early or twice); nothing changed.</summary>
    NotDue = 3,
}
