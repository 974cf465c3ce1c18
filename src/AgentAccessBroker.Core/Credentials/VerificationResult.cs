namespace AgentAccessBroker.Credentials;

/// <summary>The outcome of checking that revoked access is really gone.</summary>
/// <param name="Revoked">True when the provider proved the access no longer works.</param>
/// <param name="Evidence">Plain words a person can read: what was checked and what was seen. No secrets.</param>
public sealed record VerificationResult(bool Revoked, string Evidence);
