namespace AgentAccessBroker.Connectors.Aws.Revocation;

/// <summary>What one revocation did to the role's deny policy.</summary>
internal enum RevokeOutcomeKind
{
    /// <summary>The session was added to the list.</summary>
    Listed = 0,
    /// <summary>The session was already covered; nothing was written.</summary>
    AlreadyCovered = 1,
    /// <summary>The session's credentials have expired; nothing needed denying.</summary>
    AlreadyExpired = 2,
    /// <summary>The list was full, so every session of the role issued before a moment is now denied.</summary>
    RoleWideFallback = 3,
}
