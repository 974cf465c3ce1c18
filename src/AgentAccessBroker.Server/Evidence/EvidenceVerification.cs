namespace AgentAccessBroker.Server.Evidence;

/// <summary>The verdict on an evidence pack.</summary>
/// <param name="Altered">
/// Problems with the pack's integrity: a file's hash, a missing or unlisted file, the signature, the chain, the events.
/// </param>
/// <param name="Disagreements">
/// Statements of the report or the population files that the events do not support (checked only on an intact pack's
/// content, but reported even when it was signed: a signer can be wrong).
/// </param>
/// <param name="SignerVerified">The signature was made by the pinned public key.</param>
public sealed record EvidenceVerification(
    IReadOnlyList<string> Altered,
    IReadOnlyList<string> Disagreements,
    bool SignerVerified,
    string? KeyId,
    int Events,
    int Facts)
{
    /// <summary>Intact, consistent with its events, and signed by the pinned key.</summary>
    public bool Valid => Altered.Count == 0 && Disagreements.Count == 0 && SignerVerified;
}
