namespace AgentAccessBroker.Connectors.Slack;

/// <summary>A thread-safe set that forgets its oldest keys beyond a fixed capacity, so memory stays bounded.</summary>
internal sealed class BoundedKeySet(int capacity)
{
    private readonly Lock _gate = new();
    private readonly HashSet<string> _keys = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();

    /// <summary>Adds the key; false when it was already present.</summary>
    public bool Add(string key)
    {
        lock (_gate)
        {
            if (!_keys.Add(key))
            {
                return false;
            }

            _order.Enqueue(key);
            while (_order.Count > capacity)
            {
                _keys.Remove(_order.Dequeue());
            }

            return true;
        }
    }

    public bool Contains(string key)
    {
        lock (_gate)
        {
            return _keys.Contains(key);
        }
    }

    /// <summary>Forgets a key (its slot in the eviction order is reclaimed lazily).</summary>
    public void Remove(string key)
    {
        lock (_gate)
        {
            _keys.Remove(key);
        }
    }
}
