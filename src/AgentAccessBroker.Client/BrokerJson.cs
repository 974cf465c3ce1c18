using System.Text.Json;
using System.Text.Json.Serialization;

namespace AgentAccessBroker.Client;

/// <summary>The broker's JSON conventions: snake_case, enums as strings, unknown fields rejected.</summary>
public static class BrokerJson
{
    public static JsonSerializerOptions Options { get; } = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.DictionaryKeyPolicy = null;
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;

        // Strict reading: a key given twice, or in two spellings ("target" and "Target"), is an error, not a choice the
        // reader makes silently (which one wins differs between parsers, and an attacker picks the one that helps).
        options.AllowDuplicateProperties = false;
        options.PropertyNameCaseInsensitive = false;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
        return options;
    }
}
