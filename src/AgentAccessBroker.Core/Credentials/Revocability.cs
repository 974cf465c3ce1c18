namespace AgentAccessBroker.Credentials;

/// <summary>How honestly a credential can be taken back before it expires.</summary>
public enum Revocability
{
    /// <summary>Revocation removes the access itself (a dropped role, a deleted role assignment).</summary>
    Immediate = 0,
    /// <summary>The credential stays valid but is made useless by a deny policy that can take minutes to apply.</summary>
    DenyPolicy = 1,
    /// <summary>Nothing can be done before expiry.</summary>
    ExpiryOnly = 2,
}
