using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;

namespace AgentAccessBroker.Connectors.Slack.Api;

/// <summary>
/// The few Slack Web API calls the approval channel needs (stands in for SlackNet, which is not served here). Retries 429
/// after <c>Retry-After</c> (bounded) and 5xx/transport errors with exponential backoff; turns <c>ok:false</c> into a
/// <see cref="SlackApiException"/>. Tokens go only into the Authorization header of Slack API calls, never to a
/// response URL, a log or an exception.
/// </summary>
internal sealed class SlackApiClient
{
    public const string HttpClientName = "AgentAccessBroker.Connectors.Slack";

    private const string JsonMediaType = "application/json";

    private readonly IHttpClientFactory _httpClients;
    private readonly SlackConnectorOptions _options;
    private readonly SlackSecrets _secrets;
    private readonly TimeProvider _time;
    private readonly ILogger<SlackApiClient> _logger;
    private readonly ResiliencePipeline<HttpResponseMessage> _retry;

    public SlackApiClient(
        IHttpClientFactory httpClients,
        IOptions<SlackConnectorOptions> options,
        SlackSecrets secrets,
        TimeProvider time,
        ILogger<SlackApiClient> logger)
    {
        _httpClients = httpClients;
        _options = options.Value;
        _secrets = secrets;
        _time = time;
        _logger = logger;
        _retry = BuildRetry();
    }

    /// <summary>chat.postMessage. Returns the channel id and ts Slack assigned.</summary>
    public async Task<SlackMessageRef> PostMessageAsync(string channel, SlackMessage message, CancellationToken cancellationToken)
    {
        var body = new JsonObject { ["channel"] = channel, ["text"] = message.Text, ["blocks"] = message.Blocks.DeepClone() };
        var response = await CallAsync("chat.postMessage", body, _secrets.BotToken(), cancellationToken).ConfigureAwait(false);
        var postedChannel = response.TryGetProperty("channel", out var c) ? c.GetString() : null;
        var ts = response.TryGetProperty("ts", out var t) ? t.GetString() : null;
        if (string.IsNullOrEmpty(postedChannel) || string.IsNullOrEmpty(ts))
        {
            throw new SlackApiException("chat.postMessage", "invalid_response");
        }

        return new SlackMessageRef(postedChannel, ts);
    }

    /// <summary>chat.update: replaces text and blocks of a message this bot posted.</summary>
    public async Task UpdateMessageAsync(SlackMessageRef message, SlackMessage content, CancellationToken cancellationToken)
    {
        var body = new JsonObject
        {
            ["channel"] = message.Channel,
            ["ts"] = message.Ts,
            ["text"] = content.Text,
            ["blocks"] = content.Blocks.DeepClone(),
        };
        await CallAsync("chat.update", body, _secrets.BotToken(), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>An ephemeral reply, seen only by the user who clicked, through the interaction's response_url.</summary>
    public async Task RespondEphemeralAsync(Uri responseUrl, string text, CancellationToken cancellationToken)
    {
        var body = new JsonObject
        {
            ["response_type"] = "ephemeral",
            ["replace_original"] = false,
            ["text"] = text,
        };
        using var response = await SendAsync(responseUrl, body.ToJsonString(), JsonMediaType, token: null, cancellationToken)
            .ConfigureAwait(false);
        var reply = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            // Slack answers response_url errors with a short plain-text code (expired_url, used_url...).
            throw new SlackApiException("response_url", SafeCode(reply.Trim()) ?? $"http_{(int)response.StatusCode}");
        }

        if (reply.TrimStart().StartsWith('{'))
        {
            EnsureOk("response_url", reply);
        }
    }

    /// <summary>apps.connections.open with the app-level token: a single-use WebSocket URL for Socket Mode.</summary>
    public async Task<Uri> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        var response = await CallFormAsync("apps.connections.open", _secrets.AppToken(), cancellationToken).ConfigureAwait(false);
        var url = response.TryGetProperty("url", out var u) ? u.GetString() : null;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != "wss" && uri.Scheme != "ws"))
        {
            throw new SlackApiException("apps.connections.open", "invalid_response");
        }

        return uri;
    }

    private Task<JsonElement> CallAsync(string method, JsonObject body, string token, CancellationToken cancellationToken) =>
        CallAsync(method, body.ToJsonString(), JsonMediaType, token, cancellationToken);

    private Task<JsonElement> CallFormAsync(string method, string token, CancellationToken cancellationToken) =>
        CallAsync(method, string.Empty, "application/x-www-form-urlencoded", token, cancellationToken);

    private async Task<JsonElement> CallAsync(
        string method, string body, string mediaType, string token, CancellationToken cancellationToken)
    {
        var url = new Uri(EnsureTrailingSlash(_options.ApiBaseUrl), method);
        using var response = await SendAsync(url, body, mediaType, token, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.TooManyRequests)
        {
            throw new SlackApiException(method, "ratelimited");
        }

        if (!response.IsSuccessStatusCode)
        {
            throw new SlackApiException(method, $"http_{(int)response.StatusCode}");
        }

        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        return EnsureOk(method, text);
    }

    private async Task<HttpResponseMessage> SendAsync(
        Uri url, string body, string mediaType, string? token, CancellationToken cancellationToken)
    {
        var http = _httpClients.CreateClient(HttpClientName);
        http.Timeout = _options.RequestTimeout;
        var state = (http, url, body, mediaType, token);
        return await _retry.ExecuteAsync(
            static async (s, ct) =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, s.url);
                request.Content = new StringContent(s.body, Encoding.UTF8, s.mediaType);
                if (s.token is not null)
                {
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", s.token);
                }

                return await s.http.SendAsync(request, ct).ConfigureAwait(false);
            },
            state,
            cancellationToken).ConfigureAwait(false);
    }

    private static JsonElement EnsureOk(string method, string text)
    {
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(text);
            root = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            throw new SlackApiException(method, "invalid_response");
        }

        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("ok", out var ok) || ok.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            throw new SlackApiException(method, "invalid_response");
        }

        if (ok.ValueKind == JsonValueKind.False)
        {
            var error = root.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
            throw new SlackApiException(method, SafeCode(error) ?? "unknown_error");
        }

        return root;
    }

    /// <summary>Slack error codes are short snake_case words; anything else is not echoed.</summary>
    private static string? SafeCode(string? code) =>
        code is { Length: > 0 and <= 64 } && code.All(ch => ch is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_') ? code : null;

    private static Uri EnsureTrailingSlash(Uri baseUrl) =>
        baseUrl.AbsoluteUri.EndsWith('/') ? baseUrl : new Uri(baseUrl.AbsoluteUri + "/");

    private ResiliencePipeline<HttpResponseMessage> BuildRetry()
    {
        if (_options.MaxRetryAttempts == 0)
        {
            return ResiliencePipeline<HttpResponseMessage>.Empty;
        }

        return new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = _time }
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = _options.MaxRetryAttempts,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = _options.RetryBaseDelay,
                ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Outcome, args.Context.CancellationToken)),
                DelayGenerator = args => ValueTask.FromResult(RetryAfter(args.Outcome.Result)),
                OnRetry = args =>
                {
                    SlackLog.RetryingCall(
                        _logger,
                        args.AttemptNumber + 1,
                        args.Outcome.Result is { } r ? (int)r.StatusCode : 0,
                        args.RetryDelay);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }

    private bool ShouldRetry(Outcome<HttpResponseMessage> outcome, CancellationToken cancellationToken)
    {
        if (outcome.Exception is not null)
        {
            // A TaskCanceledException without the caller's cancellation is the per-attempt timeout.
            return outcome.Exception is HttpRequestException
                || (outcome.Exception is TaskCanceledException && !cancellationToken.IsCancellationRequested);
        }

        var response = outcome.Result!;
        if (response.StatusCode == HttpStatusCode.TooManyRequests)
        {
            return RetryAfter(response) is not { } wait || wait <= _options.MaxRetryAfter;
        }

        return (int)response.StatusCode >= 500;
    }

    private TimeSpan? RetryAfter(HttpResponseMessage? response)
    {
        if (response?.StatusCode != HttpStatusCode.TooManyRequests || response.Headers.RetryAfter is not { } retryAfter)
        {
            return null;
        }

        if (retryAfter.Delta is { } delta)
        {
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        }

        if (retryAfter.Date is { } date)
        {
            var wait = date - _time.GetUtcNow();
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }

        return null;
    }
}
