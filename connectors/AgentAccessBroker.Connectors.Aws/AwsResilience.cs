using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace AgentAccessBroker.Connectors.Aws;

/// <summary>
/// Retries with exponential backoff and jitter around every AWS call; each attempt has its own timeout. Only transient
/// failures are retried (<see cref="AwsErrors.IsTransient"/>); caller errors surface at once.
/// </summary>
internal sealed class AwsResilience
{
    private static readonly ResiliencePropertyKey<string> OperationKey = new("aab.aws.operation");
    private readonly ResiliencePipeline _pipeline;

    public AwsResilience(AwsConnectorOptions options, ILogger logger)
    {
        // Delays run on the system clock on purpose: backoff is about real AWS rate limits, and tests shrink the
        // delays through the options rather than by faking time under the whole connector.
        _pipeline = new ResiliencePipelineBuilder { TimeProvider = TimeProvider.System }
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = Math.Max(options.MaxRetryAttempts, 1),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryBaseDelay,
                MaxDelay = options.RetryMaxDelay,
                ShouldHandle = args => ValueTask.FromResult(
                    options.MaxRetryAttempts > 0
                    && args.Outcome.Exception is { } e
                    && !args.Context.CancellationToken.IsCancellationRequested
                    && AwsErrors.IsTransient(e)),
                OnRetry = args =>
                {
                    AwsLog.Retrying(
                        logger,
                        args.Context.Properties.GetValue(OperationKey, "aws"),
                        args.AttemptNumber + 1,
                        args.RetryDelay.TotalMilliseconds,
                        args.Outcome.Exception is { } e ? AwsErrors.Describe(e) : "unknown");
                    return ValueTask.CompletedTask;
                },
            })
            .AddTimeout(new TimeoutStrategyOptions { Timeout = options.AttemptTimeout })
            .Build();
    }

    public async Task<T> ExecuteAsync<T>(string operation, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(OperationKey, operation);
        try
        {
            return await _pipeline.ExecuteAsync(
                static async (ctx, state) => await state(ctx.CancellationToken).ConfigureAwait(false),
                context,
                call).ConfigureAwait(false);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    public Task ExecuteAsync(string operation, Func<CancellationToken, Task> call, CancellationToken cancellationToken) =>
        ExecuteAsync<bool>(
            operation,
            async ct =>
            {
                await call(ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken);
}
