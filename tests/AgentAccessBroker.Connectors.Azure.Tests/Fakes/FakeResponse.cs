using System.Text.Json.Nodes;

namespace AgentAccessBroker.Connectors.Azure.Tests.Fakes;

/// <summary>What the fake answers, before faults get a chance to replace it.</summary>
internal sealed record FakeResponse(int Status, JsonNode? Json = null, IReadOnlyDictionary<string, string>? Headers = null)
{
    public static FakeResponse ArmError(int status, string code, string message) =>
        new(status, new JsonObject { ["error"] = new JsonObject { ["code"] = code, ["message"] = message } });

    /// <summary>Entra ID's OAuth error shape.</summary>
    public static FakeResponse OAuthError(int status, string error, int aadsts, string description) =>
        new(status, new JsonObject
        {
            ["error"] = error,
            ["error_description"] = $"AADSTS{aadsts}: {description}",
            ["error_codes"] = new JsonArray(aadsts),
            ["timestamp"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd HH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
            ["trace_id"] = Guid.NewGuid().ToString(),
            ["correlation_id"] = Guid.NewGuid().ToString(),
        });
}
