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
        // Rows written by this version carry every property: read them directly, without building a merged document.
        if (HasEveryProperty<T>(json))
        {
            return Read<T>(json);
        }

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

    /// <summary>Whether the top-level object in <paramref name="json"/> names every property <typeparamref name="T"/> has.</summary>
    private static bool HasEveryProperty<T>(string json)
    {
        var expected = PropertyNames<T>.All;
        var seen = new bool[expected.Count];
        var found = 0;
        var reader = new Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(json));
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (expected.TryGetValue(reader.GetString()!, out var index) && !seen[index])
            {
                seen[index] = true;
                found++;
            }

            reader.Read();
            reader.Skip();
        }

        return found == expected.Count;
    }

    private static class PropertyNames<T>
    {
        public static readonly Dictionary<string, int> All = Options.GetTypeInfo(typeof(T)).Properties
            .Select((p, i) => (p.Name, i)).ToDictionary(p => p.Name, p => p.i, StringComparer.Ordinal);
    }
}
