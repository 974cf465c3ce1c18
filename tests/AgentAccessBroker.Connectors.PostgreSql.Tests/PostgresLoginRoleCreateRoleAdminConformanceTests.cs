using AgentAccessBroker.Connectors.PostgreSql.Tests.Support;
using AgentAccessBroker.Credentials;
using AgentAccessBroker.Testing;

namespace AgentAccessBroker.Connectors.PostgreSql.Tests;

/// <summary>
/// Conformance with the least-privileged admin role the connector documents: not a superuser, only CREATEROLE and
/// pg_signal_backend, owning the table it hands out.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresLoginRoleCreateRoleAdminConformanceTests(PostgresFixture postgres) : LocalClusterConformanceBase(postgres)
{
    private protected override async Task<(TargetSettings Target, string Database)> PrepareAsync(PostgresTestbed testbed)
    {
        var (admin, password) = await testbed.CreateBrokerAdminAsync();
        var database = await testbed.CreateDatabaseAsync($"CREATE TABLE items (id int PRIMARY KEY); INSERT INTO items VALUES (1); ALTER TABLE items OWNER TO {admin};");
        return (testbed.Target(admin, password), database);
    }
}
