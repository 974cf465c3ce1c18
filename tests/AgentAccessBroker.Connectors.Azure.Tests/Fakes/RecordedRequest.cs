namespace AgentAccessBroker.Connectors.Azure.Tests.Fakes;

/// <summary>A request as the fake saw it. Bodies of token requests hold secrets: tests only read them to prove things.</summary>
internal sealed record RecordedRequest(string Method, string PathAndQuery, string Body, string? Authorization, int Status);
