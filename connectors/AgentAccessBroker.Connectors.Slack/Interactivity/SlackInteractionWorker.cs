using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AgentAccessBroker.Connectors.Slack.Interactivity;

/// <summary>Background consumer of <see cref="SlackInteractionQueue"/>: one loop per partition.</summary>
internal sealed class SlackInteractionWorker(
    SlackInteractionQueue queue,
    SlackInteractionProcessor processor,
    ILogger<SlackInteractionWorker> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, queue.PartitionCount).Select(p => RunPartitionAsync(p, stoppingToken)));

    private async Task RunPartitionAsync(int partition, CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var interaction in queue.Reader(partition).ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    await processor.ProcessAsync(interaction, stoppingToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    // The worker is a boundary: one failed click must not stop the processing of the others.
                    SlackLog.InteractionFailed(logger, ex, interaction.RequestId, interaction.UserId, interaction.ActionId);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down; clicks still queued are dropped and approvers can click again.
        }
    }
}
