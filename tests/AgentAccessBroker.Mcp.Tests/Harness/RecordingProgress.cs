using System.Collections.Concurrent;
using ModelContextProtocol;

namespace AgentAccessBroker.Mcp.Tests.Harness;

/// <summary>Keeps every progress notification and signals the first one (an explicit signal instead of a sleep).</summary>
internal sealed class RecordingProgress : IProgress<ProgressNotificationValue>
{
    private readonly TaskCompletionSource<ProgressNotificationValue> _first = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ConcurrentQueue<ProgressNotificationValue> Received { get; } = new();

    public Task<ProgressNotificationValue> First => _first.Task;

    public void Report(ProgressNotificationValue value)
    {
        Received.Enqueue(value);
        _first.TrySetResult(value);
    }
}
