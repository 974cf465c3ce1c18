using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AgentAccessBroker.Connectors.Teams.Api;

/// <summary>
/// Sends one outgoing request with bounded retries on 429 (honouring <c>Retry-After</c> up to
/// <see cref="TeamsConnectorOptions.MaxRetryAfter"/>), 5xx and transport errors. The request is rebuilt per attempt.
/// Nothing here logs a URL: a Workflows URL carries its own signature, and Bot Connector paths name conversations.
/// </summary>
internal sealed class RetryingSender(IOptions<TeamsConnectorOptions> options, TimeProvider time, ILogger<RetryingSender> logger)
{
    public async Task<HttpResponseMessage> SendAsync(
        HttpClient http, string operation, Func<CancellationToken, Task<HttpRequestMessage>> build, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        for (var attempt = 0; ; attempt++)
        {
            using var request = await build(cancellationToken).ConfigureAwait(false);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(settings.RequestTimeout);
            HttpResponseMessage response;
            try
            {
                response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                if (attempt >= settings.MaxRetryAttempts)
                {
                    throw new TeamsApiException(operation, null, ex is TaskCanceledException ? "timeout" : "transport_error");
                }

                var backoff = settings.RetryBaseDelay * Math.Pow(2, attempt);
                TeamsLog.Retrying(logger, operation, attempt + 1, 0, backoff);
                await Task.Delay(backoff, time, cancellationToken).ConfigureAwait(false);
                continue;
            }

            var status = (int)response.StatusCode;
            var retryable = response.StatusCode == HttpStatusCode.TooManyRequests || status >= 500;
            if (!retryable || attempt >= settings.MaxRetryAttempts)
            {
                return response;
            }

            var delay = settings.RetryBaseDelay * Math.Pow(2, attempt);
            if (response.Headers.RetryAfter is { } retryAfter)
            {
                delay = retryAfter.Delta ?? (retryAfter.Date is { } at ? at - time.GetUtcNow() : delay);
                if (delay > settings.MaxRetryAfter)
                {
                    response.Dispose();
                    throw new TeamsApiException(operation, status, "throttled");
                }
            }

            response.Dispose();
            delay = delay < TimeSpan.Zero ? TimeSpan.Zero : delay;
            TeamsLog.Retrying(logger, operation, attempt + 1, status, delay);
            await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
        }
    }
}
