namespace AgentAccessBroker.Connectors.GitHub.Tests.Fakes;

/// <summary>An installation token the fake issued, with exactly what it covers.</summary>
internal sealed record FakeToken(string Value, long InstallationId, string Account, IReadOnlyList<string> Repositories, IReadOnlyDictionary<string, string> Permissions, DateTimeOffset ExpiresAt)
{
    public bool Revoked { get; set; }

    public override string ToString() => $"FakeToken {{ InstallationId = {InstallationId}, Repositories = [{string.Join(", ", Repositories)}] }}";
}
