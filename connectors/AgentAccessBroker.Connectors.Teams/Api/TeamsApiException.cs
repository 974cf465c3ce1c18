namespace AgentAccessBroker.Connectors.Teams.Api;

/// <summary>A call to the Bot Connector, Entra or a Workflows webhook failed. The message names the operation and status, never a URL, token or secret.</summary>
internal sealed class TeamsApiException(string operation, int? statusCode, string code)
    : Exception($"Teams {operation} failed: {code}" + (statusCode is null ? string.Empty : $" (HTTP {statusCode})"))
{
    public string Operation { get; } = operation;

    public int? StatusCode { get; } = statusCode;

    public string Code { get; } = code;
}
