using System.Collections.Concurrent;
using AgentAccessBroker.Policy;
using static AgentAccessBroker.Core.Tests.Policy.PolicyTestFiles;

namespace AgentAccessBroker.Core.Tests.Policy;

/// <summary>Against a real file in a private temporary directory; each test waits on a signal from the watcher's events.</summary>
public sealed class PolicyFileWatcherTests : IDisposable
{
    private static readonly TimeSpan SignalTimeout = TimeSpan.FromSeconds(15);

    private readonly string _directory = Directory.CreateTempSubdirectory("aab-policy-watch-").FullName;
    private readonly CapturingLogger<PolicyFileWatcher> _logger = new();
    private readonly string _path;

    public PolicyFileWatcherTests() => _path = Path.Combine(_directory, "policy.yaml");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Watcher_ValidEdit_IsPickedUp()
    {
        using var watcher = StartWatching(Minimal);
        var reloaded = Signal<BrokerPolicy>(h => watcher.Reloaded += h);
        var edited = With(Minimal, "owner: alice", "owner: dave");

        // Written in place: no name event, so the poll of size and modification time finds it.
        await File.WriteAllTextAsync(_path, edited);
        var policy = await reloaded.WaitAsync(SignalTimeout);

        Assert.Equal("dave", policy.FindAgent("billing-bot")!.Owner);
        Assert.Same(policy, watcher.Current);
        Assert.Equal(PolicyLoader.ComputeVersion(edited), watcher.Current.Version);
    }

    [Fact]
    public async Task Watcher_BadEdit_IsRejectedAndPreviousPolicyStays()
    {
        using var watcher = StartWatching(Minimal);
        var before = watcher.Current;
        // In-place writes truncate first; should the debounce fire in between, the empty file is rejected too. Wait for ours.
        var rejected = Signal<IReadOnlyList<PolicyProblem>>(h => watcher.Rejected += h, problems => problems.Any(p => p.Code == PolicyProblemCodes.InlineSecret));
        var reloadCount = 0;
        watcher.Reloaded += _ => Interlocked.Increment(ref reloadCount);
        var broken = With(Minimal, "password: { env: AAB_TEST_PG_PASSWORD }", "password: hunter2-in-a-log-would-be-bad");

        await File.WriteAllTextAsync(_path, broken);
        var problems = await rejected.WaitAsync(SignalTimeout);

        var problem = Assert.Single(problems);
        Assert.Equal((PolicyProblemCodes.InlineSecret, _path), (problem.Code, problem.File));
        Assert.Same(before, watcher.Current);
        Assert.Equal(0, Volatile.Read(ref reloadCount));
        Assert.Contains(_logger.Lines, l => l.Contains("rejected", StringComparison.Ordinal) && l.Contains(before.Version, StringComparison.Ordinal));
        Assert.DoesNotContain(_logger.Lines, l => l.Contains("hunter2", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Watcher_BadEditThenFixed_LoadsTheFix()
    {
        using var watcher = StartWatching(Minimal);
        var rejected = Signal<IReadOnlyList<PolicyProblem>>(h => watcher.Rejected += h);
        var reloaded = Signal<BrokerPolicy>(h => watcher.Reloaded += h);

        await File.WriteAllTextAsync(_path, With(Minimal, "effect: deny", "effect: nope"));
        await rejected.WaitAsync(SignalTimeout);
        var fixedText = With(Minimal, "effect: deny", "effect: require_approval");
        await File.WriteAllTextAsync(_path, fixedText);
        var policy = await reloaded.WaitAsync(SignalTimeout);

        Assert.Equal(HardRuleEffect.RequireApproval, Assert.Single(policy.Rules).Effect);
        Assert.Equal(PolicyLoader.ComputeVersion(fixedText), watcher.Current.Version);
    }

    [Fact]
    public async Task Watcher_EditorStyleSaveByRename_IsPickedUp()
    {
        using var watcher = StartWatching(Minimal);
        var reloaded = Signal<BrokerPolicy>(h => watcher.Reloaded += h);
        var temporary = Path.Combine(_directory, ".policy.yaml.swp");
        var edited = With(Minimal, "owner: alice", "owner: erin");

        await File.WriteAllTextAsync(temporary, edited);
        File.Move(temporary, _path, overwrite: true);
        var policy = await reloaded.WaitAsync(SignalTimeout);

        Assert.Equal("erin", policy.FindAgent("billing-bot")!.Owner);
    }

    [Fact]
    public async Task Watcher_WritesToOtherFilesInTheDirectory_AreNotNoticed()
    {
        // The data directory often holds the policy beside the broker's databases, which are written on every request:
        // each noticed write would wake the watcher and schedule a read of the policy.
        using var watcher = StartWatching(Minimal, pollInterval: Timeout.InfiniteTimeSpan);
        var noticed = new ConcurrentQueue<WatcherChangeTypes>();
        watcher.Noticed += noticed.Enqueue;
        var renamed = Signal<WatcherChangeTypes>(h => watcher.Noticed += h, change => change == WatcherChangeTypes.Renamed);
        var database = Path.Combine(_directory, "broker.db-wal");
        await using (var stream = new FileStream(database, FileMode.Create, FileAccess.Write))
        {
            for (var i = 0; i < 50; i++)
            {
                await stream.WriteAsync(new byte[4096]);
                await stream.FlushAsync();
            }
        }

        // Notices arrive in order, so once the rename's has, any for the writes before it would have too.
        File.Move(database, Path.Combine(_directory, "broker.db-old"));
        await renamed.WaitAsync(SignalTimeout);

        Assert.Equal([WatcherChangeTypes.Created, WatcherChangeTypes.Renamed], noticed);
    }

    [Fact]
    public void Reload_ContentUnchanged_RaisesNothing()
    {
        using var watcher = StartWatching(Minimal);
        var before = watcher.Current;
        var events = 0;
        watcher.Reloaded += _ => events++;
        watcher.Rejected += _ => events++;

        watcher.Reload();

        Assert.Equal(0, events);
        Assert.Same(before, watcher.Current);
    }

    [Fact]
    public void Reload_FileChanged_SwapsPolicySynchronously()
    {
        using var watcher = StartWatching(Minimal, debounce: TimeSpan.FromHours(1));
        BrokerPolicy? reloaded = null;
        watcher.Reloaded += p => reloaded = p;
        File.WriteAllText(_path, With(Minimal, "owner: alice", "owner: frank"));

        watcher.Reload();

        Assert.NotNull(reloaded);
        Assert.Equal("frank", watcher.Current.FindAgent("billing-bot")!.Owner);
    }

    [Fact]
    public void Reload_HandlerThrows_PolicyIsStillSwappedAndFailureLogged()
    {
        using var watcher = StartWatching(Minimal, debounce: TimeSpan.FromHours(1));
        watcher.Reloaded += _ => throw new InvalidOperationException("handler bug");
        File.WriteAllText(_path, With(Minimal, "owner: alice", "owner: grace"));

        watcher.Reload();

        Assert.Equal("grace", watcher.Current.FindAgent("billing-bot")!.Owner);
        Assert.Contains(_logger.Lines, l => l.StartsWith("Error:", StringComparison.Ordinal) && l.Contains("handler bug", StringComparison.Ordinal));
    }

    [Fact]
    public void Reload_FileDeleted_KeepsCurrentPolicyAndRaisesNothing()
    {
        using var watcher = StartWatching(Minimal, debounce: TimeSpan.FromHours(1));
        var before = watcher.Current;
        var events = 0;
        watcher.Rejected += _ => events++;
        File.Delete(_path);

        watcher.Reload();

        Assert.Same(before, watcher.Current);
        Assert.Equal(0, events);
    }

    private PolicyFileWatcher StartWatching(string text, TimeSpan? debounce = null, TimeSpan? pollInterval = null)
    {
        File.WriteAllText(_path, text);
        var initial = PolicyLoader.LoadFile(_path, KnownConnectors);
        Assert.Empty(initial.Problems);
        return new PolicyFileWatcher(_path, initial.Policy!, KnownConnectors, _logger, debounce: debounce ?? TimeSpan.FromMilliseconds(50), pollInterval: pollInterval);
    }

    private static Task<T> Signal<T>(Action<Action<T>> subscribe, Func<T, bool>? when = null)
    {
        var signal = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        subscribe(value =>
        {
            if (when is null || when(value))
            {
                signal.TrySetResult(value);
            }
        });
        return signal.Task;
    }
}
