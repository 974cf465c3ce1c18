using System.Threading.Channels;
using Microsoft.Extensions.Options;

namespace AgentAccessBroker.Connectors.Slack.Interactivity;

/// <summary>
/// Bounded hand-off between the places clicks arrive (HTTP endpoint, Socket Mode) and the worker that acts on them, so
/// Slack is acknowledged without waiting on the desk or the Slack API. Clicks on one request land in one partition and
/// are processed in arrival order; different requests proceed in parallel.
/// </summary>
internal sealed class SlackInteractionQueue
{
    private readonly Channel<SlackInteraction>[] _partitions;

    public SlackInteractionQueue(IOptions<SlackConnectorOptions> options)
    {
        var count = Math.Max(1, options.Value.WorkerCount);
        var capacity = Math.Max(1, options.Value.QueueCapacity / count);
        _partitions = Enumerable.Range(0, count)
            .Select(_ => Channel.CreateBounded<SlackInteraction>(new BoundedChannelOptions(capacity)
            {
                FullMode = BoundedChannelFullMode.Wait,
                SingleReader = true,
            }))
            .ToArray();
    }

    public int PartitionCount => _partitions.Length;

    /// <summary>Never blocks; false when the partition is full (the caller reports "busy" instead of waiting).</summary>
    public bool TryEnqueue(SlackInteraction interaction) =>
        _partitions[(int)((uint)StringComparer.Ordinal.GetHashCode(interaction.RequestId) % (uint)_partitions.Length)]
            .Writer.TryWrite(interaction);

    public ChannelReader<SlackInteraction> Reader(int partition) => _partitions[partition].Reader;
}
