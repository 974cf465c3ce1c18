using AgentAccessBroker.Brokering;

namespace AgentAccessBroker.Server.Scheduling;

/// <summary>
/// Runs the reconciliation sweep as soon as the broker has started, so leases that ended while it was down are revoked
/// within seconds of start-up, before any periodic trigger is due.
/// </summary>
internal sealed partial class StartupSweep(RevocationSweep sweep, IHostApplicationLifetime lifetime, ILogger<StartupSweep> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        await started.Task.WaitAsync(stoppingToken);
        try
        {
            var (revoked, failed, expired) = await sweep.RunAsync(stoppingToken);
            LogStartupSweep(logger, revoked, failed, expired);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            LogStartupSweepFailed(logger, exception);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Start-up sweep done: {Revoked} revoked, {Failed} failed, {Expired} approvals expired")]
    private static partial void LogStartupSweep(ILogger logger, int revoked, int failed, int expired);

    [LoggerMessage(Level = LogLevel.Error, Message = "Start-up sweep failed; the periodic sweep will retry")]
    private static partial void LogStartupSweepFailed(ILogger logger, Exception exception);
}
