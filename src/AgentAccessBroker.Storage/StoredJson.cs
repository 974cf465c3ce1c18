using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace AgentAccessBroker.Storage;

/// <summary>JSON columns (lists, maps, assessments, history aggregates), written and read with one set of options.</summary>
internal static class StoredJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
    };

    public static string Write<T>(T value) => JsonSerializer.Serialize(value, Options);

    public static T Read<T>(string json) =>
        JsonSerializer.Deserialize<T>(json, Options) ?? throw new InvalidDataException($"Stored {typeof(T).Name} is JSON null.");

    public static T? ReadOptional<T>(string? json)
        where T : class => json is null ? null : Read<T>(json);

    /// <summary>
    /// Reads a record written by an older version: properties missing from <paramref name="json"/> take their values
    /// from <paramref name="defaults"/> (instead of null or zero), so a field added to a record later needs no data
    /// migration; properties no longer on the record are ignored.
    /// </summary>
    public static T ReadWithDefaults<T>(string json, T defaults)
    {
        var merged = JsonSerializer.SerializeToNode(defaults, Options)?.AsObject()
            ?? throw new InvalidOperationException($"Defaults for {typeof(T).Name} serialise to null.");
        if (JsonNode.Parse(json) is JsonObject stored)
        {
            foreach (var (name, value) in stored)
            {
                merged[name] = value?.DeepClone();
            }
        }

        return merged.Deserialize<T>(Options) ?? throw new InvalidDataException($"Stored {typeof(T).Name} is JSON null.");
    }
}
