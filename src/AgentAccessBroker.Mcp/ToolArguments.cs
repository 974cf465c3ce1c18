using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace AgentAccessBroker.Mcp;

/// <summary>
/// Checks a call's arguments against the tool's input schema before the tool runs, so a missing or mistyped argument
/// comes back naming the field and the form it must take (the SDK alone answers "An error occurred invoking ...").
/// Also the last boundary for a fault inside a tool: the agent gets words, the log gets the exception type.
/// </summary>
internal static partial class ToolArguments
{
    private static readonly string[] KnownFields = ["request_id", "lease_id", "target", "resources", "actions", "purpose", "duration", "wait_seconds"];

    public static IMcpServerBuilder WithArgumentChecks(this IMcpServerBuilder builder) =>
        builder.WithRequestFilters(filters => filters.AddCallToolFilter(next => async (context, cancellationToken) =>
        {
            var name = context.Params?.Name ?? string.Empty;
            if (context.MatchedPrimitive is McpServerTool tool && Check(tool.ProtocolTool, context.Params?.Arguments) is { } problem)
            {
                return ToolResult.Of(problem.Message, Failure(name, problem), isError: true);
            }

            try
            {
                return await next(context, cancellationToken);
            }
            catch (Exception exception) when (exception is not (OperationCanceledException or McpException))
            {
                var logger = context.Services?.GetService<ILoggerFactory>()?.CreateLogger(typeof(ToolArguments).FullName!);
                if (logger is not null)
                {
                    LogToolFault(logger, name, exception.GetType().Name);
                }

                var message = $"{name} failed inside the broker's MCP server (internal_error). Nothing in this answer is a decision: tell the user, whose broker log names the fault.";
                return ToolResult.Of(message, Failure(name, new ToolError("internal_error", message)), isError: true);
            }
        }));

    /// <summary>The first problem with the arguments, or null when they fit the schema.</summary>
    public static ToolError? Check(Tool tool, IDictionary<string, JsonElement>? arguments)
    {
        var schema = tool.InputSchema;
        var properties = schema.TryGetProperty("properties", out var p) && p.ValueKind == JsonValueKind.Object ? p : default;
        var names = properties.ValueKind == JsonValueKind.Object ? properties.EnumerateObject().Select(e => e.Name).ToList() : [];
        var required = schema.TryGetProperty("required", out var r) && r.ValueKind == JsonValueKind.Array ? r.EnumerateArray().Select(e => e.GetString()!).ToList() : [];
        arguments ??= new Dictionary<string, JsonElement>();

        foreach (var field in required)
        {
            if (!arguments.TryGetValue(field, out var value) || value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
            {
                var expected = Expected(properties.GetProperty(field));
                return new ToolError("missing_argument", $"{tool.Name} needs '{field}' ({expected}); it was not given. Send it and call {tool.Name} again.", field, expected);
            }
        }

        foreach (var (field, value) in arguments)
        {
            if (!names.Contains(field, StringComparer.Ordinal))
            {
                var takes = names.Count == 0 ? "no arguments" : "only " + string.Join(", ", names);
                return new ToolError("unknown_argument", $"{tool.Name} has no argument '{field}': it takes {takes}.", field, null);
            }

            var property = properties.GetProperty(field);
            var expected = Expected(property);
            if (!Fits(property, value, required.Contains(field, StringComparer.Ordinal)))
            {
                return new ToolError("invalid_argument", $"'{field}' must be {expected}; got {Describe(value)}. Fix '{field}' and call {tool.Name} again.", field, expected);
            }
        }

        return null;
    }

    /// <summary>The argument a broker refusal is about, read from its code (<c>unknown_target</c>, <c>invalid_duration</c>, <c>lease_not_found</c>).</summary>
    public static string? FieldOf(string tool, string code) => code switch
    {
        "request_not_found" or "not_your_request" => "request_id",
        "lease_not_found" or "not_your_lease" => "lease_id",
        "body_too_large" => null,
        _ when tool is "request_access" => KnownFields.FirstOrDefault(f => code.Contains(f, StringComparison.Ordinal) || code.Contains(f.TrimEnd('s'), StringComparison.Ordinal)),
        _ => null,
    };

    /// <summary>A failed call's structured content, in the shape of the tool's output schema.</summary>
    public static object Failure(string tool, ToolError error) => tool switch
    {
        "describe_targets" => new TargetsOutput(null, [], null, error),
        "list_access" => new LeasesOutput(null, [], error),
        "release_access" => new ReleaseOutput("error", error.Message, null, null, 0, 0, error),
        _ => AccessOutputs.Failed(error),
    };

    private static bool Fits(JsonElement property, JsonElement value, bool required)
    {
        var types = Types(property);
        if (value.ValueKind == JsonValueKind.Null)
        {
            return types.Contains("null") || !required;
        }

        return types.Any(type => type switch
        {
            "string" => value.ValueKind == JsonValueKind.String && (!required || !string.IsNullOrWhiteSpace(value.GetString())),
            "integer" => value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out _),
            "number" => value.ValueKind == JsonValueKind.Number,
            "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
            "array" => value.ValueKind == JsonValueKind.Array && (!required || value.GetArrayLength() > 0)
                && value.EnumerateArray().All(item => item.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(item.GetString())),
            _ => true,
        });
    }

    private static string Expected(JsonElement property)
    {
        var types = Types(property).Where(t => t != "null").ToList();
        var form = types.FirstOrDefault() switch
        {
            "string" => "a non-empty string",
            "integer" => "an integer",
            "number" => "a number",
            "boolean" => "true or false",
            "array" => "a non-empty array of strings, e.g. [\"one\"]",
            _ => "a value",
        };
        return property.TryGetProperty("description", out var description) ? $"{form}: {description.GetString()}" : form;
    }

    private static List<string> Types(JsonElement property) => !property.TryGetProperty("type", out var type)
        ? []
        : type.ValueKind == JsonValueKind.Array ? type.EnumerateArray().Select(t => t.GetString()!).ToList() : [type.GetString()!];

    /// <summary>The kind of value sent, never the value itself: an argument may hold text the agent should not see echoed.</summary>
    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => string.IsNullOrWhiteSpace(value.GetString()) ? "an empty string" : "a string",
        JsonValueKind.Number => "the number " + value.GetRawText().ToString(CultureInfo.InvariantCulture),
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Array => value.GetArrayLength() == 0 ? "an empty array" : "an array with a non-string or empty item",
        JsonValueKind.Object => "an object",
        _ => "null",
    };

    [LoggerMessage(EventId = 15, Level = LogLevel.Error, Message = "{Tool}: the tool failed ({ErrorType})")]
    private static partial void LogToolFault(ILogger logger, string tool, string errorType);
}
