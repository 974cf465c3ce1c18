namespace AgentAccessBroker.Brokering;

/// <summary>
/// A caller's mistake or a refused operation, with a stable code. Thrown inside the broker and turned into a
/// ProblemDetails (HTTP), a tool result (MCP) or a one-line reason (CLI) at the boundary. The message is safe to show.
/// </summary>
public sealed class BrokerError : Exception
{
    public BrokerError(BrokerErrorKind kind, string code, string message)
        : base(message)
    {
        Kind = kind;
        Code = code;
    }

    public BrokerErrorKind Kind { get; }

    /// <summary>Stable, machine-readable (<c>unknown_target</c>, <c>task_not_active</c>...).</summary>
    public string Code { get; }

    public static BrokerError Invalid(string code, string message) => new(BrokerErrorKind.Invalid, code, message);

    public static BrokerError NotFound(string what, string id) => new(BrokerErrorKind.NotFound, $"{what}_not_found", $"No {what} '{id}' is visible to you.");

    public static BrokerError Forbidden(string code, string message) => new(BrokerErrorKind.Forbidden, code, message);

    public static BrokerError Conflict(string code, string message) => new(BrokerErrorKind.Conflict, code, message);
}

public enum BrokerErrorKind
{
    Invalid = 0,
    Forbidden = 1,
    NotFound = 2,
    Conflict = 3,
}
