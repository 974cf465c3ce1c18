using AgentAccessBroker.Connectors.PostgreSql.Tests.Support;
using AgentAccessBroker.Credentials;
using AgentAccessBroker.Testing;
using Npgsql;

namespace AgentAccessBroker.Connectors.PostgreSql.Tests;

/// <summary>
/// The shared provider conformance suite, wired to a PostgreSQL server: the credential "works" when it can log in
/// and SELECT from the granted table.
/// </summary>
public abstract class PostgresLoginRoleConformanceBase : CredentialProviderConformance
{
    /// <summary>The granted table as <c>database.schema.table</c>.</summary>
    protected abstract string Table { get; }

    protected override IReadOnlyList<string> Resources => [Table];

    protected override IReadOnlyList<string> Actions => ["select"];

    protected override async Task<bool> CredentialWorksAsync(IssuedCredential credential, CancellationToken cancellationToken)
    {
        var parts = Table.Split('.');
        try
        {
            await using var connection = await LoginProbe.OpenAsync(credential, parts[0]);
            await using var command = new NpgsqlCommand($"SELECT count(*) FROM {PostgresQuoting.Qualified(parts[1], parts[2])}", connection);
            await command.ExecuteScalarAsync(cancellationToken);
            return true;
        }
        catch (PostgresException e) when (LoginProbe.IsRefusal(e))
        {
            return false;
        }
    }
}
