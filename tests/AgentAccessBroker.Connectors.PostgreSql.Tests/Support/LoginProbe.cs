using AgentAccessBroker.Credentials;
using Npgsql;

namespace AgentAccessBroker.Connectors.PostgreSql.Tests.Support;

/// <summary>Uses a minted credential for real: opens a connection with it and runs SQL.</summary>
internal static class LoginProbe
{
    /// <summary>Login refused or privilege missing: the credential does not give that access.</summary>
    public static bool IsRefusal(PostgresException e) => e.SqlState is "28P01" or "28000" or "42501";

    public static NpgsqlConnection Connection(IssuedCredential credential, string? database = null)
    {
        var builder = new NpgsqlConnectionStringBuilder(credential.Forms["connection_string"]) { Pooling = false, Timeout = 5 };
        if (database is not null)
        {
            builder.Database = database;
        }

        return new NpgsqlConnection(builder.ConnectionString);
    }

    public static async Task<NpgsqlConnection> OpenAsync(IssuedCredential credential, string? database = null)
    {
        var connection = Connection(credential, database);
        await connection.OpenAsync();
        return connection;
    }

    /// <summary>True when the credential can log in and run <paramref name="sql"/>; false on a login or privilege refusal.</summary>
    public static async Task<bool> CanRunAsync(IssuedCredential credential, string sql, string? database = null)
    {
        try
        {
            await using var connection = await OpenAsync(credential, database);
            await using var command = new NpgsqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync();
            return true;
        }
        catch (PostgresException e) when (IsRefusal(e))
        {
            return false;
        }
    }

    /// <summary>The SQLSTATE the server answers <paramref name="sql"/> with, or null when it succeeds.</summary>
    public static async Task<string?> SqlStateOfAsync(IssuedCredential credential, string sql, string? database = null)
    {
        try
        {
            await using var connection = await OpenAsync(credential, database);
            await using var command = new NpgsqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync();
            return null;
        }
        catch (PostgresException e)
        {
            return e.SqlState;
        }
    }
}
