using System.Text.Json;

namespace AgentAccessBroker.Text;

/// <summary>
/// Reads JSON the broker did not write with no ambiguity: an object that names a key twice, or in two spellings that
/// differ only in case (<c>"user"</c> and <c>"User"</c>), is refused. Which of two such keys a reader picks differs
/// between parsers, and whoever wrote the document picks the one that helps them.
/// </summary>
public static class StrictJson
{
    /// <summary>Deep enough for every document the broker reads (request bodies, chat payloads, audit lines).</summary>
    public const int MaxDepth = 32;

    private static readonly JsonDocumentOptions Options = new() { AllowDuplicateProperties = false, MaxDepth = MaxDepth };

    /// <summary>Parses <paramref name="json"/>; throws <see cref="JsonException"/> on invalid JSON or an ambiguous key.</summary>
    public static JsonDocument Parse(string json)
    {
        var document = JsonDocument.Parse(json, Options);
        try
        {
            RequireUnambiguous(document.RootElement);
            return document;
        }
        catch
        {
            document.Dispose();
            throw;
        }
    }

    private static void RequireUnambiguous(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
                foreach (var property in element.EnumerateObject())
                {
                    if (!seen.Add(property.Name))
                    {
                        throw new JsonException($"The key '{UntrustedText.Sanitise(property.Name)}' appears twice (perhaps in another letter case).");
                    }

                    RequireUnambiguous(property.Value);
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    RequireUnambiguous(item);
                }

                break;
        }
    }
}
