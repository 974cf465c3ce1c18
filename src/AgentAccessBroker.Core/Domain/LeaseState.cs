namespace AgentAccessBroker.Domain;

public enum LeaseState
{
    /// <summary>Row written, outside system being called. A lease stuck here after a crash is rolled back by the sweep.</summary>
    Minting = 0,
    Active = 1,
    /// <summary>Revocation started (task completed, released, or lease end).</summary>
    Revoking = 2,
    /// <summary>Revoked and verified.</summary>
    Revoked = 3,
    /// <summary>Revocation failed after retries; still retried by the sweep and visible until it succeeds.</summary>
    RevocationFailed = 4,
    /// <summary>Minting failed or was rolled back; nothing outside remains.</summary>
    MintFailed = 5,
}
