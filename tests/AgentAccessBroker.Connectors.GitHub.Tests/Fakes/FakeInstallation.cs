namespace AgentAccessBroker.Connectors.GitHub.Tests.Fakes;

/// <summary>One installation of the fake app: its account, the repositories it may reach and its permissions.</summary>
internal sealed record FakeInstallation(long Id, string Account, bool IsOrganization, IReadOnlyList<string> Repositories, IReadOnlyDictionary<string, string> Permissions);
