using System.Text.Json;
using System.Text.Json.Serialization;

namespace AgentAccessBroker.Server.Audit;

/// <summary>Shared shapes of the jsonl and csv audit export formats.</summary>
internal static class AuditExportFormat
{
    public static readonly string[] CsvColumns = ["sequence", "timestamp", "type", "actor", "agent_id", "task_id", "request_id", "lease_id", "data", "previous_hash", "hash"];

    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    /// <summary>The trailer: the manifest as the exact text that was signed, the signature and the public key.</summary>
    public sealed record Trailer(string Type, string ManifestJson, string Signature, string PublicKey);
}
