namespace AgentAccessBroker.Connectors.Aws.Tests.Fakes;

/// <summary>What the fake does instead of answering one request.</summary>
public enum FakeFault
{
    /// <summary>HTTP 400 with error code Throttling ("Rate exceeded"), as STS and IAM throttle.</summary>
    Throttle = 0,
    /// <summary>HTTP 500 with the service's internal-failure code.</summary>
    ServerError = 1,
    /// <summary>HTTP 503 with an HTML body, as a load balancer answers.</summary>
    UnavailableHtml = 2,
    /// <summary>HTTP 429 with a plain-text body, as a rate-limiting proxy answers.</summary>
    TooManyRequests = 4,
    /// <summary>Never answers; the request ends only when the client gives up.</summary>
    Hang = 3,
    /// <summary>
    /// Never answers, but keeps the request (PutRolePolicy only) and applies it when the test calls
    /// <see cref="FakeAws.LandHeldWrites"/>: a write that timed out at the client and reached IAM later.
    /// </summary>
    LandLate = 5,
    /// <summary>
    /// AssumeRole only: issues the session but never answers, as a request that timed out at the client after STS
    /// issued it. The session is listed in <see cref="FakeAws.UnansweredSessions"/>.
    /// </summary>
    IssueUnanswered = 6,
}
