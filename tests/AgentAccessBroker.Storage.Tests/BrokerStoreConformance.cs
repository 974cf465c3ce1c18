using System.Data.Common;
using AgentAccessBroker.Domain;
using AgentAccessBroker.Testing;
using Dapper;
using Microsoft.Extensions.Time.Testing;

namespace AgentAccessBroker.Storage.Tests;

/// <summary>
/// The one suite every <see cref="BrokerStore"/> engine passes. Each test gets a fresh, migrated database; tests that
/// need a second broker node open a second store on the same database with <see cref="OpenStore"/>.
/// </summary>
public abstract partial class BrokerStoreConformance : IAsyncLifetime
{
    // Odd ticks and a non-UTC offset: every instant must come back as the same 100 ns point in time.
    protected static readonly DateTimeOffset T0 = new DateTimeOffset(2026, 11, 21, 11, 0, 0, TimeSpan.FromHours(2)).AddTicks(1_234_567);

    private readonly List<BrokerStore> _stores = [];

    protected FakeTimeProvider Clock { get; } = new(T0);

    protected RecordingLoggerProvider Logs { get; } = new();

    protected BrokerStore Store { get; private set; } = null!;

    /// <summary>Where <see cref="Store"/> lives: a file path (SQLite) or a connection string (PostgreSQL).</summary>
    protected string Location { get; private set; } = string.Empty;

    protected abstract string Provider { get; }

    /// <summary>A new, empty database.</summary>
    protected abstract Task<string> CreateDatabaseAsync();

    /// <summary>A plain connection to the database, past the store, as an intruder or an operator would use it.</summary>
    protected abstract Task<DbConnection> OpenRawAsync(string location);

    /// <summary>Returns once a second caller is provably waiting for a held resource lock.</summary>
    protected abstract Task WaitUntilLockIsContendedAsync(string location);

    public async Task InitializeAsync()
    {
        Location = await CreateDatabaseAsync();
        Store = OpenStore(Location);
        await Store.MigrateAsync(CancellationToken.None);
    }

    public virtual async Task DisposeAsync()
    {
        foreach (var store in _stores)
        {
            await store.DisposeAsync();
        }
    }

    protected BrokerStore OpenStore(string location)
    {
        var store = BrokerStoreFactory.Create(Provider, location, Logs, Clock);
        _stores.Add(store);
        return store;
    }

    protected async Task<long> ScalarAsync(string sql)
    {
        await using var connection = await OpenRawAsync(Location);
        return await connection.ExecuteScalarAsync<long>(sql);
    }

    protected static async Task<IReadOnlyList<T>> CollectAsync<T>(IAsyncEnumerable<T> source)
    {
        var items = new List<T>();
        await foreach (var item in source)
        {
            items.Add(item);
        }

        return items;
    }

    /// <summary>Starts <paramref name="count"/> callers, releases them at the same moment and returns their results.</summary>
    protected static async Task<T[]> RaceAsync<T>(int count, Func<int, Task<T>> caller)
    {
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tasks = Enumerable.Range(0, count).Select(i => Task.Run(async () =>
        {
            await start.Task;
            return await caller(i);
        })).ToList();
        start.SetResult();
        return await Task.WhenAll(tasks);
    }

    // Sample records with every field set, so round-trips prove each column.
    protected static Principal AgentPrincipal(string id, DateTimeOffset createdAt) => new(id, PrincipalRole.Agent, "alice", createdAt);

    protected async Task<Principal> SeedAgentAsync(string? id = null)
    {
        var agent = AgentPrincipal(id ?? Ids.New("agent"), T0);
        await Store.CreatePrincipalAsync(agent, "hash-" + agent.Id, CancellationToken.None);
        return agent;
    }

    protected static BrokerTask NewTask(string agentId, DateTimeOffset? createdAt = null) => new(
        Ids.New("task"),
        "fix the failing billing export",
        "alice",
        agentId,
        ["billing-db", "db.public.invoices"],
        "prod",
        createdAt ?? T0,
        T0.AddHours(8).AddTicks(3),
        TaskState.Active,
        null);

    protected async Task<BrokerTask> SeedTaskAsync(string? agentId = null, DateTimeOffset? createdAt = null)
    {
        var task = NewTask(agentId ?? (await SeedAgentAsync()).Id, createdAt);
        await Store.CreateTaskAsync(task, "hash-" + task.Id, CancellationToken.None);
        return task;
    }
}
