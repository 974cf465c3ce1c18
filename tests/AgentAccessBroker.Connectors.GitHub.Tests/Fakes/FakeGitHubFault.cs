namespace AgentAccessBroker.Connectors.GitHub.Tests.Fakes;

/// <summary>A fault the fake answers one call with instead of serving it.</summary>
internal abstract record FakeGitHubFault
{
    /// <summary>403 with GitHub's primary rate-limit message and headers, the limit resetting at <paramref name="Reset"/>.</summary>
    public sealed record RateLimited(DateTimeOffset Reset) : FakeGitHubFault;

    /// <summary>A 5xx answer with GitHub's JSON error shape.</summary>
    public sealed record ServerError(int Status) : FakeGitHubFault;

    /// <summary>No answer until the client gives up (or the fake is disposed).</summary>
    public sealed record Hang : FakeGitHubFault;
}
