using System.Collections.Concurrent;
using AgentAccessBroker.Credentials;

namespace AgentAccessBroker.Connectors.Aws.Tests.Support;

internal sealed class RecordingObserver(bool fail = false) : IRevocationObserver
{
    private readonly ConcurrentQueue<RevocationFallback> _fallbacks = new();

    public IReadOnlyList<RevocationFallback> Fallbacks => _fallbacks.ToList();

    public Task OnFallbackAsync(RevocationFallback fallback, CancellationToken cancellationToken)
    {
        _fallbacks.Enqueue(fallback);
        return fail ? Task.FromException(new InvalidOperationException("audit store unavailable")) : Task.CompletedTask;
    }
}
