using AgentAccessBroker.Audit;
using AgentAccessBroker.Domain;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace AgentAccessBroker.Storage.Tests;

public sealed class BrokerStoreRegistrationTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("aab-di-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task AddBrokerStore_Sqlite_RegistersOneSingletonForStoreAuditLogAndResourceLock()
    {
        var services = new ServiceCollection().AddLogging().AddSingleton<TimeProvider>(new FakeTimeProvider(Testing.TestClock.Start));
        services.AddBrokerStore("sqlite", Path.Combine(_directory, "broker.db"));
        await using var provider = services.BuildServiceProvider();

        var store = provider.GetRequiredService<IBrokerStore>();
        await store.MigrateAsync(CancellationToken.None);
        var appended = await provider.GetRequiredService<IAuditLog>().AppendAsync(
            new AuditEntry(AuditEventType.PolicyLoaded, "broker", null, null, null, null, []), CancellationToken.None);

        Assert.Same(store, provider.GetRequiredService<IAuditLog>());
        Assert.Same(store, provider.GetRequiredService<IResourceLock>());
        Assert.Same(store, provider.GetRequiredService<BrokerStore>());
        Assert.Equal(new FakeTimeProvider(Testing.TestClock.Start).GetUtcNow(), appended.Timestamp);
        Assert.Null(await store.GetPrincipalAsync("nobody", CancellationToken.None));
    }

    [Fact]
    public void AddBrokerStore_UnknownProvider_FailsAtRegistrationWithoutEchoingTheConnectionString()
    {
        const string connectionString = "Host=db;Password=hunter2-secret";

        var error = Assert.Throws<ArgumentException>(() => new ServiceCollection().AddBrokerStore("mysql", connectionString));

        Assert.Contains("mysql", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2-secret", error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sqlite", BrokerStoreFactory.Sqlite)]
    [InlineData(" SQLite ", BrokerStoreFactory.Sqlite)]
    [InlineData("postgres", BrokerStoreFactory.Postgres)]
    [InlineData("PostgreSQL", BrokerStoreFactory.Postgres)]
    public void NormaliseProvider_KnownSpellings_MapToProvider(string given, string expected) =>
        Assert.Equal(expected, BrokerStoreFactory.NormaliseProvider(given));

    [Fact]
    public async Task Create_Postgres_ReturnsPostgresStoreWithoutConnecting()
    {
        await using var store = BrokerStoreFactory.Create("postgres", "Host=127.0.0.1;Port=1;Username=aab;Password=p;Database=aab");

        Assert.IsType<PostgresBrokerStore>(store);
        Assert.Equal(BrokerStoreFactory.Postgres, store.Provider);
        Assert.DoesNotContain("Password", store.ToString(), StringComparison.OrdinalIgnoreCase);
    }
}
