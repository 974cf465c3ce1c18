using AgentAccessBroker.Policy;

namespace AgentAccessBroker.Server.WebConsole;

/// <summary>What the admin page says about the policy file: the version in force, and the problems of a rejected edit.</summary>
public sealed class PolicyLoadStatus
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private (DateTimeOffset At, string Version)? _lastReload;
    private (DateTimeOffset At, IReadOnlyList<PolicyProblem> Problems)? _lastRejection;

    public PolicyLoadStatus(PolicyFileWatcher watcher, TimeProvider time)
    {
        _time = time;
        StartedAt = time.GetUtcNow();
        watcher.Reloaded += policy =>
        {
            lock (_gate)
            {
                _lastReload = (_time.GetUtcNow(), policy.Version);
                _lastRejection = null;
            }
        };
        watcher.Rejected += problems =>
        {
            lock (_gate)
            {
                _lastRejection = (_time.GetUtcNow(), problems);
            }
        };
    }

    public DateTimeOffset StartedAt { get; }

    public (DateTimeOffset At, string Version)? LastReload
    {
        get
        {
            lock (_gate)
            {
                return _lastReload;
            }
        }
    }

    /// <summary>The last edit that was refused since the last good load; the policy in force stayed the previous one.</summary>
    public (DateTimeOffset At, IReadOnlyList<PolicyProblem> Problems)? LastRejection
    {
        get
        {
            lock (_gate)
            {
                return _lastRejection;
            }
        }
    }
}
