using System.Text.Json;
using ModelContextProtocol.Protocol;

namespace AgentAccessBroker.Mcp;

/// <summary>A tool result as the agent gets it: the words for the model, and the same facts as structured content.</summary>
internal static class ToolResult
{
    // Nulls are written: the output schemas list every property as required, an optional one as nullable.
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.General);

    public static CallToolResult Of<T>(string text, T structured, bool isError) => new()
    {
        IsError = isError ? true : null,
        Content = [new TextContentBlock { Text = text.TrimEnd() }],
        StructuredContent = JsonSerializer.SerializeToElement(structured, Json),
    };
}
