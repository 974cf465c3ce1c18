using AgentAccessBroker.Server.Hosting;

namespace AgentAccessBroker.Server.Http;

/// <summary>
/// Size limits checked before authentication, each answered with a ProblemDetails: an oversized declared body (413),
/// request target (414) or header block (431). Kestrel's own parse limits sit at twice these, so only requests beyond
/// those get its bare status.
/// </summary>
internal static class EdgeLimits
{
    public static Task CheckAsync(HttpContext context, RequestDelegate next, BrokerServerOptions options)
    {
        var request = context.Request;
        if (request.ContentLength > options.MaxRequestBodyBytes)
        {
            return Problems.WriteAsync(context, StatusCodes.Status413PayloadTooLarge, "body_too_large",
                $"The request body is larger than the broker accepts ({options.MaxRequestBodyBytes / 1024} KiB).");
        }

        if (request.Path.Value?.Length + request.QueryString.Value?.Length > options.MaxRequestTargetBytes)
        {
            return Problems.WriteAsync(context, StatusCodes.Status414UriTooLong, "uri_too_long",
                $"The request target is longer than the broker accepts ({options.MaxRequestTargetBytes / 1024} KiB).");
        }

        long headerBytes = 0;
        foreach (var (name, values) in request.Headers)
        {
            headerBytes += name.Length + 4;
            foreach (var value in values)
            {
                headerBytes += value?.Length ?? 0;
            }
        }

        if (headerBytes > options.MaxRequestHeadersBytes)
        {
            return Problems.WriteAsync(context, StatusCodes.Status431RequestHeaderFieldsTooLarge, "headers_too_large",
                $"The request headers are larger than the broker accepts ({options.MaxRequestHeadersBytes / 1024} KiB).");
        }

        return next(context);
    }
}
