namespace AgentAccessBroker.Connectors.Azure.Tests.Fakes;

/// <summary>
/// A fault the fake injects on matching requests, <see cref="Times"/> times. With <see cref="AfterHandling"/> the request
/// is carried out first and only the response is replaced (a lost response after a successful PUT).
/// </summary>
internal sealed class FakeFault
{
    public required string Method { get; init; }

    public required string PathContains { get; init; }

    public required int Status { get; init; }

    public string? Code { get; init; }

    public string? RetryAfter { get; init; }

    public bool AfterHandling { get; init; }

    public int Times { get; set; } = 1;

    public int Hits { get; set; }

    public bool Matches(string method, string path) =>
        Times > 0 && string.Equals(method, Method, StringComparison.OrdinalIgnoreCase) && path.Contains(PathContains, StringComparison.OrdinalIgnoreCase);

    public FakeResponse Response()
    {
        var headers = new Dictionary<string, string>();
        if (RetryAfter is not null)
        {
            headers["Retry-After"] = RetryAfter;
        }

        var response = Code is null
            ? new FakeResponse(Status)
            : FakeResponse.ArmError(Status, Code, $"Injected fault {Code}.");
        return response with { Headers = headers };
    }
}
