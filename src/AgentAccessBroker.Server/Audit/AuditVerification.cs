namespace AgentAccessBroker.Server.Audit;

/// <summary>The verdict on an audit export, with every problem found.</summary>
/// <param name="Valid">Hashes, links, order, count, digest and the manifest's signature all check out.</param>
/// <param name="KeyId">The id of the key that checked the signature (computed from it, not read from the manifest).</param>
public sealed record AuditVerification(bool Valid, IReadOnlyList<string> Problems, int Events, string? KeyId)
{
    /// <summary>
    /// True only when the export is valid and was signed by the pinned key: without a pinned key a valid export proves
    /// it is intact and self-consistent, not who signed it (anyone can re-chain and re-sign an export with a key of
    /// their own).
    /// </summary>
    public bool SignerVerified { get; init; }

    /// <summary>The signer's public key (SubjectPublicKeyInfo), when the manifest could be read.</summary>
    public byte[]? PublicKey { get; init; }
}
