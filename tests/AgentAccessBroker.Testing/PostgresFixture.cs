using AgentAccessBroker.LocalPostgres;
using Npgsql;
using Xunit;

namespace AgentAccessBroker.Testing;

/// <summary>
/// One throwaway PostgreSQL cluster shared by a test collection. Each test asks for its own fresh database, so tests
/// stay independent without paying for a cluster each.
/// </summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private int _databases;

    public LocalPostgresCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync() => Cluster = await LocalPostgresCluster.StartAsync();

    public async Task DisposeAsync() => await Cluster.DisposeAsync();

    /// <summary>Creates a new empty database and returns a superuser connection string for it.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix = "test")
    {
        var name = $"{prefix}_{Interlocked.Increment(ref _databases)}_{Guid.NewGuid():N}"[..Math.Min(63, prefix.Length + 20)];
        await Cluster.CreateDatabaseAsync(name);
        return Cluster.ConnectionString(name);
    }

    /// <summary>Whether a login role of that name exists on the cluster (a minted credential not yet dropped).</summary>
    public async Task<bool> RoleExistsAsync(string role)
    {
        await using var connection = new NpgsqlConnection(Cluster.ConnectionString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM pg_roles WHERE rolname = @role", connection);
        command.Parameters.AddWithValue("role", role);
        return (long)(await command.ExecuteScalarAsync())! > 0;
    }

    /// <summary>A connection string for an arbitrary user (to prove a minted login works or fails).</summary>
    public string ConnectionStringFor(string database, string user, string password) => new NpgsqlConnectionStringBuilder
    {
        Host = Cluster.Host,
        Port = Cluster.Port,
        Database = database,
        Username = user,
        Password = password,
        Pooling = false,
        Timeout = 10,
    }.ConnectionString;
}
