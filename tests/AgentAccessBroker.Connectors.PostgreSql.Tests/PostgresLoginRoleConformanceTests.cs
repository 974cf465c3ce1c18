using AgentAccessBroker.Connectors.PostgreSql.Tests.Support;
using AgentAccessBroker.Credentials;
using AgentAccessBroker.Testing;

namespace AgentAccessBroker.Connectors.PostgreSql.Tests;

/// <summary>Conformance with a superuser as the broker's admin role.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresLoginRoleConformanceTests(PostgresFixture postgres) : LocalClusterConformanceBase(postgres)
{
    private protected override async Task<(TargetSettings Target, string Database)> PrepareAsync(PostgresTestbed testbed)
    {
        var database = await testbed.CreateDatabaseAsync("CREATE TABLE items (id int PRIMARY KEY, name text); INSERT INTO items VALUES (1, 'one');");
        return (testbed.Target(), database);
    }
}
