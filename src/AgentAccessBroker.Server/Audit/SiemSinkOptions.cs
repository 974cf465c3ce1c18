using AgentAccessBroker.Credentials;

namespace AgentAccessBroker.Server.Audit;

/// <summary>The optional live OCSF stream of audit events to a SIEM's HTTP collector (off unless an endpoint is set).</summary>
public sealed record SiemSinkOptions
{
    /// <summary>Where batches are POSTed as a JSON array of OCSF events.</summary>
    public required Uri Endpoint { get; init; }

    /// <summary>The collector's bearer token, by reference (never inline): sent as <c>Authorization: Bearer</c>.</summary>
    public SecretReference? Token { get; init; }

    public int BatchSize { get; init; } = 200;

    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    public override string ToString() => $"SiemSinkOptions {{ Endpoint = {Endpoint.GetLeftPart(UriPartial.Path)}, Token = {Token}, BatchSize = {BatchSize} }}";
}
