using AgentAccessBroker.Testing;

namespace AgentAccessBroker.WebConsole.Tests;

/// <summary>Browser tests share one chromium and the PostgreSQL test cluster their brokers' targets live on.</summary>
[CollectionDefinition(Name)]
public sealed class ConsoleCollection : ICollectionFixture<PostgresFixture>, ICollectionFixture<BrowserFixture>
{
    public const string Name = "console";
}
