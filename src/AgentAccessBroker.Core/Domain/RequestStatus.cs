namespace AgentAccessBroker.Domain;

public enum RequestStatus
{
    /// <summary>Waiting for human approval.</summary>
    Pending = 0,
    /// <summary>Approved (automatically or by humans); the credential is minted when the agent claims it.</summary>
    Approved = 1,
    /// <summary>The credential was minted and handed to the agent exactly once.</summary>
    Issued = 2,
    Denied = 3,
    /// <summary>No human decided in time; counts as a denial.</summary>
    Expired = 4,
    /// <summary>Minting failed after approval; nothing is left outside (the lease was rolled back).</summary>
    Failed = 5,
    /// <summary>
    /// Undecided or approved but unclaimed when its task ended, its agent was disabled or a lock cut it off; it can no
    /// longer be decided or claimed.
    /// </summary>
    Withdrawn = 6,
}
