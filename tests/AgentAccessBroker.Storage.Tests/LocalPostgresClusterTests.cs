using AgentAccessBroker.Testing;
using Npgsql;

namespace AgentAccessBroker.Storage.Tests;

[Collection(PostgresCollection.Name)]
public sealed class LocalPostgresClusterTests(PostgresFixture postgres)
{
    [Fact]
    public async Task CreateDatabase_NewName_AcceptsPasswordLoginAndRejectsWrongPassword()
    {
        var connectionString = await postgres.CreateDatabaseAsync("smoke");
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT 1", connection);
            Assert.Equal(1, await command.ExecuteScalarAsync());
        }

        var database = new NpgsqlConnectionStringBuilder(connectionString).Database!;
        var wrong = postgres.ConnectionStringFor(database, postgres.Cluster.SuperUser, "not-the-password");
        await using var rejected = new NpgsqlConnection(wrong);
        var error = await Assert.ThrowsAsync<PostgresException>(() => rejected.OpenAsync());
        Assert.Equal("28P01", error.SqlState);
    }
}
