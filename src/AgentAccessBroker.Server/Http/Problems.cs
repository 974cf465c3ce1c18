using AgentAccessBroker.Brokering;
using Microsoft.AspNetCore.Mvc;

namespace AgentAccessBroker.Server.Http;

/// <summary>ProblemDetails with a stable <c>code</c> extension for every error the API returns.</summary>
internal static class Problems
{
    public static ProblemDetails Create(int status, string code, string detail) => new()
    {
        Status = status,
        Title = Title(status),
        Detail = detail,
        Type = $"https://agentaccessbroker.dev/errors/{code}",
        Extensions = { ["code"] = code },
    };

    public static IResult Result(int status, string code, string detail) =>
        Results.Problem(Create(status, code, detail));

    public static IResult From(BrokerError error) => Result(StatusOf(error.Kind), error.Code, error.Message);

    public static Task WriteAsync(HttpContext context, int status, string code, string detail)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(Create(status, code, detail), options: null, contentType: "application/problem+json");
    }

    public static int StatusOf(BrokerErrorKind kind) => kind switch
    {
        BrokerErrorKind.Invalid => StatusCodes.Status400BadRequest,
        BrokerErrorKind.Forbidden => StatusCodes.Status403Forbidden,
        BrokerErrorKind.NotFound => StatusCodes.Status404NotFound,
        _ => StatusCodes.Status409Conflict,
    };

    private static string Title(int status) => status switch
    {
        400 => "Bad request",
        401 => "Unauthenticated",
        403 => "Forbidden",
        404 => "Not found",
        409 => "Conflict",
        429 => "Too many requests",
        _ => "Internal error",
    };
}
