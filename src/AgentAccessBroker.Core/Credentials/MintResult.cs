namespace AgentAccessBroker.Credentials;

/// <summary>A freshly minted credential and what it takes to revoke it.</summary>
/// <param name="ExpiresAt">When the credential itself stops working, which may be later than the lease end
/// (for example STS's 15-minute minimum); revocation still happens at the lease end.</param>
/// <param name="RevocationNote">Plain words for the agent: how and how fast revocation takes effect.</param>
public sealed record MintResult(
    IssuedCredential Credential,
    RevocationData RevocationData,
    DateTimeOffset ExpiresAt,
    Revocability Revocability,
    string RevocationNote)
{
    public override string ToString() =>
        $"MintResult {{ Credential = {Credential}, ExpiresAt = {ExpiresAt:O}, Revocability = {Revocability} }}";
}
