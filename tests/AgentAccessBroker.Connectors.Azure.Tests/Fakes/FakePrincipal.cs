using System.Security.Cryptography.X509Certificates;

namespace AgentAccessBroker.Connectors.Azure.Tests.Fakes;

/// <summary>An app registration and its service principal in the fake tenant.</summary>
internal sealed class FakePrincipal
{
    public required string AppId { get; init; }

    public required string ObjectId { get; init; }

    public required string ApplicationObjectId { get; init; }

    /// <summary>A long-lived secret configured outside the broker (the agent's own sign-in secret).</summary>
    public string? StandingSecret { get; init; }

    /// <summary>The federated token a workload identity presents as its client assertion.</summary>
    public string? FederatedToken { get; set; }

    public X509Certificate2? Certificate { get; set; }

    public List<FakePassword> Passwords { get; } = [];
}

/// <summary>A secret added through Graph addPassword.</summary>
internal sealed record FakePassword(string KeyId, string DisplayName, string SecretText, DateTimeOffset StartDateTime, DateTimeOffset EndDateTime);
