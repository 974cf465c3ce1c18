using AgentAccessBroker.Connectors.PostgreSql.Tests.Support;
using AgentAccessBroker.Credentials;
using AgentAccessBroker.Testing;

namespace AgentAccessBroker.Connectors.PostgreSql.Tests;

/// <summary>Conformance with a superuser as the broker's admin role.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresLoginRoleConformanceTests(PostgresFixture postgres) : PostgresLoginRoleConformanceBase, IAsyncLifetime
{
    private readonly PostgresTestbed _testbed = new(postgres);
    private TargetSettings _target = null!;
    private string _database = null!;

    protected override TargetSettings Target => _target;

    protected override string Table => $"{_database}.public.items";

    public async Task InitializeAsync()
    {
        _database = await _testbed.CreateDatabaseAsync("CREATE TABLE items (id int PRIMARY KEY, name text); INSERT INTO items VALUES (1, 'one');");
        _target = _testbed.Target();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    protected override ICredentialProvider CreateProvider() => _testbed.Provider();
}
