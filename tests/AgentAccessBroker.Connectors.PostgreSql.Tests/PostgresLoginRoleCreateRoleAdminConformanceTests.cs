using AgentAccessBroker.Connectors.PostgreSql.Tests.Support;
using AgentAccessBroker.Credentials;
using AgentAccessBroker.Testing;

namespace AgentAccessBroker.Connectors.PostgreSql.Tests;

/// <summary>
/// Conformance with the least-privileged admin role the connector documents: not a superuser, only CREATEROLE and
/// pg_signal_backend, owning the table it hands out.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresLoginRoleCreateRoleAdminConformanceTests(PostgresFixture postgres) : PostgresLoginRoleConformanceBase, IAsyncLifetime
{
    private readonly PostgresTestbed _testbed = new(postgres);
    private TargetSettings _target = null!;
    private string _database = null!;

    protected override TargetSettings Target => _target;

    protected override string Table => $"{_database}.public.items";

    public async Task InitializeAsync()
    {
        var (admin, password) = await _testbed.CreateBrokerAdminAsync();
        _database = await _testbed.CreateDatabaseAsync($"CREATE TABLE items (id int PRIMARY KEY); INSERT INTO items VALUES (1); ALTER TABLE items OWNER TO {admin};");
        _target = _testbed.Target(admin, password);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    protected override ICredentialProvider CreateProvider() => _testbed.Provider();
}
