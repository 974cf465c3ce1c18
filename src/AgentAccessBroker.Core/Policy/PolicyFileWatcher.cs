using Microsoft.Extensions.Logging;

namespace AgentAccessBroker.Policy;

/// <summary>
/// Keeps <see cref="Current"/> in step with a policy file: reloads when the file changes and keeps the last good policy
/// when the new text has problems, so a bad edit never takes the broker down or loosens it.
/// </summary>
/// <remarks>
/// <para>
/// Names in the whole directory are watched, not only the file's, because editors save by writing a temporary file and
/// renaming it over the original, and Kubernetes swaps a symlinked directory; both arrive as events on other names.
/// Writes are not watched: the directory may also hold the broker's databases (the data directory often does), and
/// every write to them would wake the watcher and schedule a read of the policy. An edit in place is found instead by
/// checking the file's size and modification time every <c>pollInterval</c> (one second by default); the file is also
/// read every thirtieth check, which catches what neither notice can (a file system without change notifications, an
/// edit that kept both size and time).
/// </para>
/// <para>
/// Changes are debounced, and a reload happens only when the file's content hash differs from the last text seen, so
/// bursts of events and touch-without-change do nothing. Handlers of <see cref="Reloaded"/> and <see cref="Rejected"/>
/// run on a thread-pool thread, one at a time, in the order the versions were seen.
/// </para>
/// </remarks>
public sealed partial class PolicyFileWatcher : IPolicySource, IDisposable
{
    private static readonly TimeSpan DefaultDebounce = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan DefaultPollInterval = TimeSpan.FromSeconds(1);
    private const int ChecksPerFullRead = 30;

    private readonly Lock _gate = new();
    private readonly string _path;
    private readonly ConnectorValidator _validate;
    private readonly ILogger<PolicyFileWatcher> _logger;
    private readonly TimeSpan _debounce;
    private readonly FileSystemWatcher _watcher;
    private readonly ITimer _debounceTimer;
    private readonly ITimer _pollTimer;
    private BrokerPolicy _current;
    private string _lastSeenVersion;
    private (long Length, DateTime WrittenAt) _lastSeenStamp; // none yet: the first check reads the file once
    private int _checks;
    private bool _disposed;

    /// <param name="path">The policy file.</param>
    /// <param name="initial">The policy already loaded from <paramref name="path"/> at start-up (start-up refuses an invalid file; the watcher never starts without a good policy).</param>
    /// <param name="debounce">How long the file must stay quiet before it is read; 200 ms when null.</param>
    /// <param name="pollInterval">How often the file's size and modification time are checked for edits in place; one second when null.</param>
    public PolicyFileWatcher(
        string path,
        BrokerPolicy initial,
        ConnectorValidator validate,
        ILogger<PolicyFileWatcher> logger,
        TimeProvider? timeProvider = null,
        TimeSpan? debounce = null,
        TimeSpan? pollInterval = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(initial);
        ArgumentNullException.ThrowIfNull(validate);
        ArgumentNullException.ThrowIfNull(logger);

        _path = Path.GetFullPath(path);
        _current = initial;
        _lastSeenVersion = initial.Version;
        _validate = validate;
        _logger = logger;
        _debounce = debounce ?? DefaultDebounce;
        var time = timeProvider ?? TimeProvider.System;
        _debounceTimer = time.CreateTimer(_ => Reload(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);

        var directory = Path.GetDirectoryName(_path) ?? throw new ArgumentException($"'{path}' has no directory.", nameof(path));
        _watcher = new FileSystemWatcher(directory)
        {
            // Names only (create, delete, rename): see the remarks for why writes are left to the poll.
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName,
            IncludeSubdirectories = false,
        };
        _watcher.Created += OnFileSystemEvent;
        _watcher.Renamed += OnFileSystemEvent;
        _watcher.Deleted += OnFileSystemEvent;
        _watcher.Error += OnWatcherError;
        _watcher.EnableRaisingEvents = true;
        var interval = pollInterval ?? DefaultPollInterval;
        _pollTimer = time.CreateTimer(_ => Check(), null, interval, interval);
        LogWatching(_path, initial.Version);
    }

    /// <summary>Raised after a changed file loaded without problems and became <see cref="Current"/>.</summary>
    public event Action<BrokerPolicy>? Reloaded;

    /// <summary>Raised when a changed file has problems; <see cref="Current"/> is unchanged.</summary>
    public event Action<IReadOnlyList<PolicyProblem>>? Rejected;

    /// <summary>The policy in force: the last version of the file that loaded without problems.</summary>
    public BrokerPolicy Current => Volatile.Read(ref _current);

    /// <summary>Raised on the watcher's thread for each change notice from the file system, before the read it schedules; for tests.</summary>
    internal event Action<WatcherChangeTypes>? Noticed;

    /// <summary>Reads the file now (for an operator's reload command); does nothing when its content has not changed.</summary>
    public void Reload()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            string text;
            try
            {
                _lastSeenStamp = Stamp();
                text = File.ReadAllText(_path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Mid-save (deleted, not yet renamed into place) or briefly locked: the next event brings the real content.
                LogUnreadable(_path, ex.GetType().Name);
                return;
            }

            var version = PolicyLoader.ComputeVersion(text);
            if (version == _lastSeenVersion)
            {
                return;
            }

            _lastSeenVersion = version;
            var result = PolicyLoader.Load(text, _path, _validate);
            ReportNotices(result.Notices);
            if (result.Policy is { } policy)
            {
                var previous = Current;
                Volatile.Write(ref _current, policy);
                LogReloaded(_path, previous.Version, policy.Version);
                Raise(Reloaded, policy);
            }
            else
            {
                LogRejected(_path, version, result.Problems.Count, Current.Version);
                foreach (var problem in result.Problems)
                {
                    LogProblem(problem.ToString());
                }

                Raise(Rejected, result.Problems);
            }
        }
    }

    /// <summary>Logs deprecation notices of a load (the start-up load is done before the watcher exists).</summary>
    public void ReportNotices(IReadOnlyList<PolicyNotice> notices)
    {
        ArgumentNullException.ThrowIfNull(notices);
        foreach (var notice in notices)
        {
            LogNotice(notice.ToString());
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        _watcher.Dispose();
        _pollTimer.Dispose();
        _debounceTimer.Dispose();
    }

    private void OnFileSystemEvent(object sender, FileSystemEventArgs e)
    {
        Noticed?.Invoke(e.ChangeType);
        ScheduleReload();
    }

    /// <summary>The poll: schedules a read when the file's size or modification time moved, and every thirtieth time regardless.</summary>
    private void Check()
    {
        bool changed;
        lock (_gate)
        {
            changed = ++_checks % ChecksPerFullRead == 0 || Stamp() != _lastSeenStamp;
        }

        if (changed)
        {
            ScheduleReload();
        }
    }

    /// <summary>The file's size and modification time (its target's, through a symbolic link); zeros while it is missing.</summary>
    private (long Length, DateTime WrittenAt) Stamp()
    {
        try
        {
            var file = new FileInfo(_path);
            return file.Exists ? (file.Length, file.LastWriteTimeUtc) : default;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return default;
        }
    }

    private void OnWatcherError(object sender, ErrorEventArgs e)
    {
        // The OS event buffer overflowed, so a change may have been missed: check the file rather than trust the silence.
        LogWatcherError(_path, e.GetException().GetType().Name);
        ScheduleReload();
    }

    private void ScheduleReload()
    {
        // Each event pushes the deadline back, so a burst of writes is read once, after the last of them.
        try
        {
            _debounceTimer.Change(_debounce, Timeout.InfiniteTimeSpan);
        }
        catch (ObjectDisposedException)
        {
            // An event that raced Dispose: there is nothing left to reload.
        }
    }

    private void Raise<T>(Action<T>? handlers, T argument)
    {
        if (handlers is null)
        {
            return;
        }

        foreach (var handler in handlers.GetInvocationList().Cast<Action<T>>())
        {
            // Boundary: handlers run on the watcher's timer thread, where an escaping exception would end the process.
            try
            {
                handler(argument);
            }
            catch (Exception ex)
            {
                LogHandlerFailed(ex, _path);
            }
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Watching policy file {Path}; version {Version} in force")]
    private partial void LogWatching(string path, string version);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Policy file {Path} reloaded: version {PreviousVersion} replaced by {Version}")]
    private partial void LogReloaded(string path, string previousVersion, string version);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Policy file {Path} version {RejectedVersion} rejected with {ProblemCount} problem(s); version {Version} stays in force")]
    private partial void LogRejected(string path, string rejectedVersion, int problemCount, string version);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "{Problem}")]
    private partial void LogProblem(string problem);

    [LoggerMessage(EventId = 8, Level = LogLevel.Warning, Message = "{Notice}")]
    private partial void LogNotice(string notice);

    [LoggerMessage(EventId = 5, Level = LogLevel.Debug, Message = "Policy file {Path} could not be read ({ErrorType}); waiting for the next change")]
    private partial void LogUnreadable(string path, string errorType);

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning, Message = "File watcher for {Path} reported {ErrorType}; re-reading the file")]
    private partial void LogWatcherError(string path, string errorType);

    [LoggerMessage(EventId = 7, Level = LogLevel.Error, Message = "A policy reload handler failed for {Path}")]
    private partial void LogHandlerFailed(Exception exception, string path);
}
