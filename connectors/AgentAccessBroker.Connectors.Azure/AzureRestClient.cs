using System.Text.Json;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Identity;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace AgentAccessBroker.Connectors.Azure;

/// <summary>
/// Sends ARM or Graph requests as the broker through an Azure.Core <see cref="HttpPipeline"/> with
/// <see cref="BearerTokenAuthenticationPolicy"/>. Retries are Polly's, not the pipeline's: Polly waits on the injected
/// <see cref="TimeProvider"/>, honours <c>Retry-After</c>, and also retries <c>PrincipalNotFound</c> where asked; two
/// retry layers would multiply attempts.
/// </summary>
internal sealed class AzureRestClient
{
    private static readonly ResiliencePropertyKey<AzureCall> CallKey = new("aab.azure.call");

    private readonly HttpPipeline _pipeline;
    private readonly ResiliencePipeline<AzureResponse> _retry;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _tokenScope;
    private readonly int _maxRetries;

    public AzureRestClient(string tokenScope, TokenCredential brokerCredential, AzureConnectorOptions options, TimeProvider time, ILogger logger)
    {
        _tokenScope = tokenScope;
        _time = time;
        _logger = logger;
        _maxRetries = options.MaxRetries;

        var clientOptions = new BrokerClientOptions();
        clientOptions.Retry.MaxRetries = 0;
        clientOptions.Retry.NetworkTimeout = options.NetworkTimeout;
        clientOptions.Diagnostics.IsLoggingContentEnabled = false;
        clientOptions.Diagnostics.ApplicationId = "AgentAccessBroker";
        if (options.Transport is not null)
        {
            clientOptions.Transport = options.Transport;
        }

        _pipeline = HttpPipelineBuilder.Build(clientOptions, new BearerTokenAuthenticationPolicy(brokerCredential, tokenScope));

        var maxRetryDelay = options.MaxRetryDelay;
        _retry = new ResiliencePipelineBuilder<AzureResponse> { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions<AzureResponse>
            {
                // The budget is per call (see ShouldRetry), so the strategy itself is unbounded.
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryDelay,
                MaxDelay = maxRetryDelay,
                ShouldHandle = args => new ValueTask<bool>(args.AttemptNumber < _maxRetries && ShouldRetry(args.Outcome, args.Context, maxRetryDelay)),
                DelayGenerator = args => new ValueTask<TimeSpan?>(args.Outcome.Result?.RetryAfter),
                OnRetry = args =>
                {
                    var call = args.Context.Properties.GetValue(CallKey, null!);
                    if (args.Outcome.Result is { } result)
                    {
                        _logger.RetryingAfterResponse(call.Operation, result.Status, result.ErrorCode ?? "-", args.AttemptNumber + 1, (long)args.RetryDelay.TotalMilliseconds);
                    }
                    else
                    {
                        _logger.RetryingAfterException(call.Operation, args.Outcome.Exception?.GetType().Name ?? "-", args.AttemptNumber + 1, (long)args.RetryDelay.TotalMilliseconds);
                    }

                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }

    /// <summary>Sends the call, retrying transient failures. Returns the final response whatever its status.</summary>
    public async Task<AzureResponse> SendAsync(AzureCall call, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(CallKey, call);
        try
        {
            var response = await _retry.ExecuteAsync(
                static (ctx, self) => self.SendOnceAsync(ctx.Properties.GetValue(CallKey, null!), ctx.CancellationToken),
                context,
                this).ConfigureAwait(false);
            if (!response.IsSuccess)
            {
                _logger.CallRefused(call.Operation, response.Status, response.ErrorCode ?? "-", response.ErrorMessage ?? "-");
            }

            return response;
        }
        catch (AuthenticationFailedException ex)
        {
            throw new InvalidOperationException($"The broker could not get an Entra ID token for its own identity (scope {_tokenScope}) to {call.Operation}.", ex);
        }
        catch (Exception ex) when (IsTransient(ex, cancellationToken))
        {
            throw new RequestFailedException(0, $"Azure could not be reached to {call.Operation} after {_maxRetries + 1} attempts ({ex.GetType().Name}).", ex);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>
    /// Sends the call once, without retries: for a health probe, which the broker repeats at its own interval. A token
    /// Entra ID refuses surfaces as <see cref="InvalidOperationException"/> naming the scope, as in <see cref="SendAsync"/>.
    /// </summary>
    public async Task<AzureResponse> SendOnceWithoutRetryAsync(AzureCall call, CancellationToken cancellationToken)
    {
        try
        {
            return await SendOnceAsync(call, cancellationToken).ConfigureAwait(false);
        }
        catch (AuthenticationFailedException ex)
        {
            throw new InvalidOperationException($"The broker could not get an Entra ID token for its own identity (scope {_tokenScope}) to {call.Operation}.", ex);
        }
    }

    /// <summary>GETs one resource and reads it; null when Azure answers 404.</summary>
    public async Task<T?> GetOrNullAsync<T>(Uri uri, string operation, Func<JsonElement, T> read, CancellationToken cancellationToken)
        where T : class
    {
        var response = await SendAsync(new AzureCall(RequestMethod.Get, uri, null, operation), cancellationToken).ConfigureAwait(false);
        if (response.Status == 404)
        {
            return null;
        }

        if (response.Status != 200)
        {
            throw response.ToException(operation);
        }

        using var json = response.Json();
        return read(json.RootElement);
    }

    private async ValueTask<AzureResponse> SendOnceAsync(AzureCall call, CancellationToken cancellationToken)
    {
        // A fresh request per attempt: Azure.Core requests are not meant to be sent twice outside its own retry policy.
        using var request = _pipeline.CreateRequest();
        request.Method = call.Method;
        request.Uri.Reset(call.Uri);
        request.Headers.Add("Accept", "application/json");
        if (call.Body is not null)
        {
            request.Headers.Add("Content-Type", "application/json");
            request.Content = RequestContent.Create(call.Body);
        }

        using var response = await _pipeline.SendRequestAsync(request, cancellationToken).ConfigureAwait(false);
        return AzureResponse.From(response, _time.GetUtcNow());
    }

    private static bool ShouldRetry(Outcome<AzureResponse> outcome, ResilienceContext context, TimeSpan maxRetryDelay)
    {
        if (outcome.Exception is { } exception)
        {
            return IsTransient(exception, context.CancellationToken);
        }

        var response = outcome.Result!;
        if (response.RetryAfter > maxRetryDelay)
        {
            // Waiting less than asked would only be throttled again; fail now and let the lease show it.
            return false;
        }

        return response.Status switch
        {
            408 or 429 or 500 or 502 or 503 or 504 => true,
            400 => response.ErrorCode == "PrincipalNotFound" && context.Properties.GetValue(CallKey, null!).RetryPrincipalNotFound,
            _ => false,
        };
    }

    private static bool IsTransient(Exception exception, CancellationToken cancellationToken) => exception switch
    {
        RequestFailedException { Status: 0 } => true,
        HttpRequestException or IOException => true,
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        _ => false,
    };

    /// <summary>Any <see cref="ClientOptions"/> gives the pipeline its transport, timeouts and telemetry.</summary>
    private sealed class BrokerClientOptions : ClientOptions;
}
