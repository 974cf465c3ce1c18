using AgentAccessBroker.Connectors.PostgreSql.Tests.Support;
using AgentAccessBroker.Credentials;
using AgentAccessBroker.Testing;

namespace AgentAccessBroker.Connectors.PostgreSql.Tests;

/// <summary>The conformance suite on the shared throwaway cluster, one fresh database per test.</summary>
public abstract class LocalClusterConformanceBase : PostgresLoginRoleConformanceBase, IAsyncLifetime
{
    private readonly PostgresTestbed _testbed;
    private TargetSettings _target = null!;
    private string _database = null!;

    private protected LocalClusterConformanceBase(PostgresFixture postgres) => _testbed = new PostgresTestbed(postgres);

    protected override TargetSettings Target => _target;

    protected override string Table => $"{_database}.public.items";

    public async Task InitializeAsync() => (_target, _database) = await PrepareAsync(_testbed);

    public Task DisposeAsync() => Task.CompletedTask;

    protected override ICredentialProvider CreateProvider() => _testbed.Provider();

    /// <summary>Creates the admin role to use and a database holding table <c>public.items</c>.</summary>
    private protected abstract Task<(TargetSettings Target, string Database)> PrepareAsync(PostgresTestbed testbed);
}
