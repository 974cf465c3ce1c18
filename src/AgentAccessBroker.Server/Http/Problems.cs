using AgentAccessBroker.Brokering;
using Microsoft.AspNetCore.Mvc;

namespace AgentAccessBroker.Server.Http;

/// <summary>
/// ProblemDetails with a stable <c>code</c> extension for every error status the server produces: the API's own, and
/// the framework's (unknown route, wrong method, wrong media type, limits), which reach <see cref="WriteStatusAsync"/>
/// through the status-code pages.
/// </summary>
internal static class Problems
{
    public const string MediaType = "application/problem+json";

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
        return context.Response.WriteAsJsonAsync(Create(status, code, detail), options: null, contentType: MediaType);
    }

    /// <summary>The problem for an error status that left the pipeline without a body.</summary>
    public static Task WriteStatusAsync(HttpContext context)
    {
        var status = context.Response.StatusCode;
        return WriteAsync(context, status, CodeFor(status), DetailFor(status, context));
    }

    public static int StatusOf(BrokerErrorKind kind) => kind switch
    {
        BrokerErrorKind.Invalid => StatusCodes.Status400BadRequest,
        BrokerErrorKind.Forbidden => StatusCodes.Status403Forbidden,
        BrokerErrorKind.NotFound => StatusCodes.Status404NotFound,
        _ => StatusCodes.Status409Conflict,
    };

    /// <summary>The stable code of a status the framework produced on its own.</summary>
    public static string CodeFor(int status) => status switch
    {
        400 => "bad_request",
        401 => "unauthenticated",
        403 => "forbidden",
        404 => "not_found",
        405 => "method_not_allowed",
        406 => "not_acceptable",
        408 => "request_timeout",
        409 => "conflict",
        411 => "length_required",
        413 => "body_too_large",
        414 => "uri_too_long",
        415 => "unsupported_media_type",
        429 => "rate_limited",
        431 => "headers_too_large",
        503 => "unavailable",
        >= 500 => "internal_error",
        _ => "http_" + status,
    };

    private static string DetailFor(int status, HttpContext context) => status switch
    {
        404 => "No such endpoint. The API is described at /openapi/v1.json.",
        405 => $"{Method(context)} is not allowed here. The API is described at /openapi/v1.json.",
        413 => "The request body is larger than the broker accepts.",
        414 => "The request target is longer than the broker accepts.",
        415 => "Send the body as application/json.",
        431 => "The request headers are larger than the broker accepts.",
        >= 500 => "The broker failed to handle this request. It was logged; nothing secret was exposed.",
        _ => Title(status) + ".",
    };

    /// <summary>Only a method name the broker knows is echoed back.</summary>
    private static string Method(HttpContext context) =>
        HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsPost(context.Request.Method) || HttpMethods.IsPut(context.Request.Method)
        || HttpMethods.IsDelete(context.Request.Method) || HttpMethods.IsPatch(context.Request.Method) || HttpMethods.IsHead(context.Request.Method)
        || HttpMethods.IsOptions(context.Request.Method)
            ? context.Request.Method
            : "This method";

    private static string Title(int status) => status switch
    {
        400 => "Bad request",
        401 => "Unauthenticated",
        403 => "Forbidden",
        404 => "Not found",
        405 => "Method not allowed",
        406 => "Not acceptable",
        408 => "Request timeout",
        409 => "Conflict",
        411 => "Length required",
        413 => "Content too large",
        414 => "URI too long",
        415 => "Unsupported media type",
        429 => "Too many requests",
        431 => "Request header fields too large",
        503 => "Service unavailable",
        >= 500 => "Internal error",
        _ => "Error",
    };
}
