using System.Text.Json;
using AgentAccessBroker.Brokering;
using AgentAccessBroker.Text;
using Microsoft.AspNetCore.Diagnostics;

namespace AgentAccessBroker.Server.Http;

/// <summary>
/// The HTTP boundary: broker errors and unreadable bodies become 4xx ProblemDetails with stable codes; anything else is
/// logged and becomes a 500 that reveals nothing about the fault.
/// </summary>
internal sealed partial class BrokerExceptionHandler(ILogger<BrokerExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        var (status, code, detail) = exception switch
        {
            BrokerError error => (Problems.StatusOf(error.Kind), error.Code, error.Message),
            BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => (413, "body_too_large", "The request body is larger than the broker accepts."),
            BadHttpRequestException { InnerException: JsonException json } => (400, JsonCode(json), JsonDetail(json)),
            BadHttpRequestException { StatusCode: >= 400 and < 500 } bad when bad.StatusCode != 400 => (bad.StatusCode, Problems.CodeFor(bad.StatusCode), Problems.CodeFor(bad.StatusCode).Replace('_', ' ') + "."),
            BadHttpRequestException bad => (400, "bad_request", Sanitise(bad.Message)),
            OperationCanceledException when context.RequestAborted.IsCancellationRequested => (499, "client_closed_request", "The client closed the request."),
            JsonException json => (400, JsonCode(json), JsonDetail(json)),
            _ => (500, "internal_error", "The broker failed to handle this request. It was logged; nothing secret was exposed."),
        };

        if (status == 500)
        {
            LogUnhandled(logger, exception, context.Request.Method, context.Request.Path);
        }

        if (context.Response.HasStarted)
        {
            // Part of a response (an audit export) is already on the wire: the connection is the only thing left to end.
            context.Abort();
            return true;
        }

        context.Response.Clear();
        await Problems.WriteAsync(context, status, code, detail);
        return true;
    }

    private static string JsonCode(JsonException exception) =>
        exception.Message.Contains("could not be mapped", StringComparison.Ordinal) ? "unknown_field" : "invalid_json";

    private static string JsonDetail(JsonException exception)
    {
        var path = string.IsNullOrEmpty(exception.Path) ? "the body" : exception.Path;
        if (exception.Message.Contains("could not be mapped", StringComparison.Ordinal))
        {
            var start = exception.Message.IndexOf('\'', StringComparison.Ordinal);
            var end = start < 0 ? -1 : exception.Message.IndexOf('\'', start + 1);
            var field = end > start ? exception.Message[(start + 1)..end] : path;
            return $"Unknown field '{field}'. Remove it; the broker rejects fields it does not know.";
        }

        return $"The body is not valid JSON for this operation (at {path}).";
    }

    private static string Sanitise(string message) => UntrustedText.Sanitise(message.Length > 200 ? message[..200] : message);

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled error on {Method} {Path}")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string method, string path);
}
