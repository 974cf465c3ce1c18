namespace AgentAccessBroker.Connectors.GitHub.Tests.Fakes;

/// <summary>What one <c>POST /app/installations/{id}/access_tokens</c> asked for, with the JWT's claims.</summary>
internal sealed record TokenRequest(long InstallationId, IReadOnlyList<string>? Repositories, IReadOnlyDictionary<string, string>? Permissions, long Iat, long Exp, string Issuer);
