using Microsoft.AspNetCore.Connections;

namespace AgentAccessBroker.Server.Hosting;

/// <summary>
/// Bounds the connections the broker holds, and keeps room for real callers under a flood of idle connections.
/// </summary>
/// <remarks>
/// Kestrel's own limit refuses every new connection once it is full, so a few thousand idle sockets would lock every
/// caller out until they time out. Here, a new connection over the limit evicts the oldest connection that has not yet
/// delivered a request (an idle or a slow-header one); only when every held connection is serving or has served a
/// request is the new one refused. Connections that delivered a request end at the keep-alive timeout as usual. A
/// flood therefore costs the broker at most <see cref="Limit"/> descriptors, and a caller who sends a request promptly
/// after connecting gets in.
/// </remarks>
internal sealed class ConnectionGate(long limit)
{
    private readonly Lock _lock = new();
    private readonly LinkedList<Held> _waiting = new();
    private readonly Dictionary<string, LinkedListNode<Held>> _waitingById = new(StringComparer.Ordinal);
    private long _open;
    private long _evicted;
    private long _refused;

    public long Limit => limit;

    public long Evicted => Interlocked.Read(ref _evicted);

    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>The connection middleware: admits, evicts or refuses, and keeps the count.</summary>
    public async Task RunAsync(ConnectionContext connection, ConnectionDelegate next)
    {
        var held = new Held(connection);
        Held? victim = null;
        lock (_lock)
        {
            if (_open >= limit)
            {
                if (_waiting.First is { } oldest)
                {
                    victim = oldest.Value;
                    Forget(oldest);
                    victim.Evicted = true;
                    _open--;
                }
                else
                {
                    held = null;
                }
            }

            if (held is not null)
            {
                _open++;
                _waitingById[connection.ConnectionId] = _waiting.AddLast(held);
            }
        }

        if (victim is not null)
        {
            Interlocked.Increment(ref _evicted);
            victim.Connection.Abort(new ConnectionAbortedException("Evicted: the broker is at its connection limit and this connection had sent no request."));
        }

        if (held is null)
        {
            // Returning without running the pipeline closes the connection.
            Interlocked.Increment(ref _refused);
            return;
        }

        try
        {
            await next(connection);
        }
        finally
        {
            lock (_lock)
            {
                if (!held.Evicted)
                {
                    _open--;
                    if (_waitingById.TryGetValue(connection.ConnectionId, out var node))
                    {
                        Forget(node);
                    }
                }
            }
        }
    }

    /// <summary>Called when a request on the connection reaches the pipeline: from now on it is not evicted.</summary>
    public void MarkServed(string connectionId)
    {
        lock (_lock)
        {
            if (_waitingById.TryGetValue(connectionId, out var node))
            {
                Forget(node);
            }
        }
    }

    private void Forget(LinkedListNode<Held> node)
    {
        _waiting.Remove(node);
        _waitingById.Remove(node.Value.Connection.ConnectionId);
    }

    private sealed class Held(ConnectionContext connection)
    {
        public ConnectionContext Connection { get; } = connection;

        public bool Evicted { get; set; }
    }
}
