using AgentAccessBroker.LocalPostgres;
using Npgsql;

namespace AgentAccessBroker.Cli.QuickStart;

/// <summary>
/// The database the demo and the quick start hand out: <c>app</c> with <c>public.invoices</c> and <c>hr.salaries</c>,
/// and the broker's own login <c>aab_broker</c>, which gets only what it hands out (the grants of
/// <c>infra/postgres/broker-role.sql</c>).
/// </summary>
internal static class DemoDatabase
{
    public const string Name = "app";
    public const string BrokerRole = "aab_broker";

    public static async Task PrepareAsync(LocalPostgresCluster postgres, string brokerPassword, CancellationToken cancellationToken)
    {
        await postgres.CreateDatabaseAsync(Name, cancellationToken);
        await using var connection = new NpgsqlConnection(postgres.ConnectionString(Name));
        await connection.OpenAsync(cancellationToken);
        // The broker gets only what it hands out: CREATEROLE to make per-lease logins, and grant options on the data.
        var sql = $"""
            CREATE ROLE {BrokerRole} LOGIN CREATEROLE PASSWORD '{brokerPassword}';
            GRANT pg_signal_backend TO {BrokerRole};
            GRANT CONNECT ON DATABASE {Name} TO {BrokerRole} WITH GRANT OPTION;
            CREATE TABLE public.invoices (id serial PRIMARY KEY, customer text NOT NULL, total numeric(12,2));
            INSERT INTO public.invoices (customer, total) SELECT 'customer ' || g, g * 10.5 FROM generate_series(1, 42) g;
            CREATE SCHEMA hr;
            CREATE TABLE hr.salaries (employee text PRIMARY KEY, salary numeric(12,2));
            INSERT INTO hr.salaries VALUES ('ada', 100000), ('grace', 120000);
            GRANT USAGE ON SCHEMA public, hr TO {BrokerRole} WITH GRANT OPTION;
            GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public, hr TO {BrokerRole} WITH GRANT OPTION;
            GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {BrokerRole} WITH GRANT OPTION;
            """;
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
