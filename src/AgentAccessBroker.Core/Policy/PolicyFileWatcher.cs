using Microsoft.Extensions.Logging;

namespace AgentAccessBroker.Policy;

/// <summary>
/// Keeps <see cref="Current"/> in step with a policy file: reloads when the file changes and keeps the last good policy
/// when the new text has problems, so a bad edit never takes the broker down or loosens it.
/// </summary>
/// <remarks>
/// The whole directory is watched, not only the file name, because editors save by writing a temporary file and renaming
/// it over the original, and Kubernetes swaps a symlinked directory; both arrive as events on other names. Events are
/// debounced, and a reload happens only when the file's content hash differs from the last text seen, so bursts of events
/// and touch-without-change do nothing. Handlers of <see cref="Reloaded"/> and <see cref="Rejected"/> run on a thread-pool
/// thread, one at a time, in the order the versions were seen.
/// </remarks>
public sealed partial class PolicyFileWatcher : IDisposable
{
    private static readonly TimeSpan DefaultDebounce = TimeSpan.FromMilliseconds(200);

    private readonly Lock _gate = new();
    private readonly string _path;
    private readonly ConnectorValidator _validate;
    private readonly ILogger<PolicyFileWatcher> _logger;
    private readonly TimeSpan _debounce;
    private readonly FileSystemWatcher _watcher;
    private readonly ITimer _debounceTimer;
    private BrokerPolicy _current;
    private string _lastSeenVersion;
    private bool _disposed;

    /// <param name="path">The policy file.</param>
    /// <param name="initial">The policy already loaded from <paramref name="path"/> at start-up (start-up refuses an invalid file; the watcher never starts without a good policy).</param>
    /// <param name="debounce">How long the file must stay quiet before it is read; 200 ms when null.</param>
    public PolicyFileWatcher(
        string path,
        BrokerPolicy initial,
        ConnectorValidator validate,
        ILogger<PolicyFileWatcher> logger,
        TimeProvider? timeProvider = null,
        TimeSpan? debounce = null)
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
        _debounceTimer = (timeProvider ?? TimeProvider.System).CreateTimer(_ => Reload(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);

        var directory = Path.GetDirectoryName(_path) ?? throw new ArgumentException($"'{path}' has no directory.", nameof(path));
        _watcher = new FileSystemWatcher(directory)
        {
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
            IncludeSubdirectories = false,
        };
        _watcher.Changed += OnFileSystemEvent;
        _watcher.Created += OnFileSystemEvent;
        _watcher.Renamed += OnFileSystemEvent;
        _watcher.Deleted += OnFileSystemEvent;
        _watcher.Error += OnWatcherError;
        _watcher.EnableRaisingEvents = true;
        LogWatching(_path, initial.Version);
    }

    /// <summary>Raised after a changed file loaded without problems and became <see cref="Current"/>.</summary>
    public event Action<BrokerPolicy>? Reloaded;

    /// <summary>Raised when a changed file has problems; <see cref="Current"/> is unchanged.</summary>
    public event Action<IReadOnlyList<PolicyProblem>>? Rejected;

    /// <summary>The policy in force: the last version of the file that loaded without problems.</summary>
    public BrokerPolicy Current => Volatile.Read(ref _current);

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
        _debounceTimer.Dispose();
    }

    private void OnFileSystemEvent(object sender, FileSystemEventArgs e) => ScheduleReload();

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

    [LoggerMessage(EventId = 5, Level = LogLevel.Debug, Message = "Policy file {Path} could not be read ({ErrorType}); waiting for the next change")]
    private partial void LogUnreadable(string path, string errorType);

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning, Message = "File watcher for {Path} reported {ErrorType}; re-reading the file")]
    private partial void LogWatcherError(string path, string errorType);

    [LoggerMessage(EventId = 7, Level = LogLevel.Error, Message = "A policy reload handler failed for {Path}")]
    private partial void LogHandlerFailed(Exception exception, string path);
}
