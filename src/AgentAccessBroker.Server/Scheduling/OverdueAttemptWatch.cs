using AgentAccessBroker.Brokering;

namespace AgentAccessBroker.Server.Scheduling;

/// <summary>
/// Makes a revocation attempt's deadline durable: every node looks, every <c>interval</c>, for leases whose attempt is
/// past its stored deadline with no outcome (the node running it stopped) and retries them, so a crash mid-attempt
/// delays a revocation by at most the deadline plus the interval instead of waiting for the next reconciliation sweep.
/// </summary>
/// <remarks>
/// A read of the leases in <c>revoking</c> (only running attempts, a handful per target), not a scheduler trigger per
/// attempt: triggers would cost a durable write in the scheduler's database for every revocation.
/// </remarks>
internal sealed partial class OverdueAttemptWatch(RevocationSweep sweep, TimeSpan interval, TimeProvider time, ILogger<OverdueAttemptWatch> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await sweep.RetryOverdueAttemptsAsync(stoppingToken);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    LogWatchFailed(logger, exception);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Looking for revocation attempts past their deadline failed; trying again at the next interval")]
    private static partial void LogWatchFailed(ILogger logger, Exception exception);
}
