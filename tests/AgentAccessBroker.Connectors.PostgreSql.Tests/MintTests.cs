using System.Diagnostics;
using System.Text;
using System.Text.Json;
using AgentAccessBroker.Connectors.PostgreSql.Tests.Support;
using AgentAccessBroker.Credentials;
using AgentAccessBroker.Testing;

namespace AgentAccessBroker.Connectors.PostgreSql.Tests;

[Collection(PostgresCollection.Name)]
public sealed class MintTests(PostgresFixture postgres)
{
    private const string Shop = """
        CREATE TABLE items (id int PRIMARY KEY, name text);
        INSERT INTO items VALUES (1, 'one');
        CREATE TABLE secrets (id int);
        CREATE SCHEMA sales;
        CREATE TABLE sales.orders (id serial PRIMARY KEY, total int);
        CREATE TABLE sales.refunds (id serial PRIMARY KEY, amount int);
        CREATE SEQUENCE sales.invoice_numbers;
        """;

    private readonly PostgresTestbed _testbed = new(postgres);

    [Fact]
    public async Task Mint_SelectOnOneTable_GrantsExactlyThat()
    {
        var database = await _testbed.CreateDatabaseAsync(Shop);
        var (_, result) = await MintAsync([$"{database}.public.items"], "SELECT");
        var credential = result.Credential;

        Assert.True(await LoginProbe.CanRunAsync(credential, "SELECT * FROM items"));
        Assert.Equal("42501", await LoginProbe.SqlStateOfAsync(credential, "INSERT INTO items VALUES (2, 'two')"));
        Assert.Equal("42501", await LoginProbe.SqlStateOfAsync(credential, "UPDATE items SET name = 'x'"));
        Assert.Equal("42501", await LoginProbe.SqlStateOfAsync(credential, "DELETE FROM items"));
        Assert.Equal("42501", await LoginProbe.SqlStateOfAsync(credential, "SELECT * FROM secrets"));
        Assert.Equal("42501", await LoginProbe.SqlStateOfAsync(credential, "SELECT * FROM sales.orders"));
        Assert.Equal(["public.items.SELECT"], await TablePrivilegesAsync(database, PostgresTestbed.Role(result)));
    }

    [Fact]
    public async Task Mint_SchemaResource_GrantsEveryTableOfThatSchemaWithItsSerialSequences()
    {
        var database = await _testbed.CreateDatabaseAsync(Shop);
        var (_, result) = await MintAsync([$"{database}.sales"], "select", "insert");
        var credential = result.Credential;

        Assert.Null(await LoginProbe.SqlStateOfAsync(credential, "INSERT INTO sales.orders (total) VALUES (5); INSERT INTO sales.refunds (amount) VALUES (1)"));
        Assert.True(await LoginProbe.CanRunAsync(credential, "SELECT * FROM sales.orders, sales.refunds"));
        Assert.Equal("42501", await LoginProbe.SqlStateOfAsync(credential, "SELECT nextval('sales.invoice_numbers')"));
        Assert.Equal("42501", await LoginProbe.SqlStateOfAsync(credential, "SELECT * FROM items"));
        Assert.Equal("42501", await LoginProbe.SqlStateOfAsync(credential, "UPDATE sales.orders SET total = 0"));
        Assert.Equal(
            ["sales.orders.INSERT", "sales.orders.SELECT", "sales.refunds.INSERT", "sales.refunds.SELECT"],
            await TablePrivilegesAsync(database, PostgresTestbed.Role(result)));
    }

    [Fact]
    public async Task Mint_InsertOnOneSerialTable_GrantsOnlyThatTablesSequence()
    {
        var database = await _testbed.CreateDatabaseAsync(Shop);
        var (_, result) = await MintAsync([$"{database}.sales.orders"], "INSERT");

        Assert.Null(await LoginProbe.SqlStateOfAsync(result.Credential, "INSERT INTO sales.orders (total) VALUES (5)"));
        Assert.Equal("42501", await LoginProbe.SqlStateOfAsync(result.Credential, "SELECT nextval('sales.refunds_id_seq')"));
        Assert.Equal("42501", await LoginProbe.SqlStateOfAsync(result.Credential, "SELECT * FROM sales.orders"));
    }

    [Fact]
    public async Task Mint_DatabaseResource_MeansSchemaPublicOnly()
    {
        var database = await _testbed.CreateDatabaseAsync(Shop);
        var (_, result) = await MintAsync([database], "SELECT");

        Assert.True(await LoginProbe.CanRunAsync(result.Credential, "SELECT * FROM items, secrets"));
        Assert.Equal("42501", await LoginProbe.SqlStateOfAsync(result.Credential, "SELECT * FROM sales.orders"));
        Assert.Equal(["public.items.SELECT", "public.secrets.SELECT"], await TablePrivilegesAsync(database, PostgresTestbed.Role(result)));
    }

    [Fact]
    public async Task Mint_TwoDatabases_GrantsInEachAndRecordsBoth()
    {
        var first = await _testbed.CreateDatabaseAsync(Shop);
        var second = await _testbed.CreateDatabaseAsync("CREATE TABLE ledger (id int); INSERT INTO ledger VALUES (7);");

        var (_, result) = await MintAsync([$"{first}.public.items", $"{second}.public.ledger"], "SELECT");

        Assert.Equal(first, result.Credential.EnvironmentVariables["PGDATABASE"]);
        Assert.True(await LoginProbe.CanRunAsync(result.Credential, "SELECT * FROM items", first));
        Assert.True(await LoginProbe.CanRunAsync(result.Credential, "SELECT * FROM ledger", second));
        Assert.Equal([first, second], JsonSerializer.Deserialize<string[]>(result.RevocationData.Require("databases"))!);
    }

    [Fact]
    public async Task Mint_NewLease_RoleIsPrefixedWithinNameLimitAndValidUntilLeaseEnd()
    {
        var database = await _testbed.CreateDatabaseAsync(Shop);
        var (request, result) = await MintAsync([$"{database}.public.items"], "SELECT");
        var role = PostgresTestbed.Role(result);

        var validUntil = await _testbed.ScalarAsync<DateTime>("postgres", "SELECT rolvaliduntil FROM pg_roles WHERE rolname = $1", role);
        var bytes = await _testbed.ScalarAsync<int>("postgres", "SELECT octet_length(rolname) FROM pg_roles WHERE rolname = $1", role);

        Assert.StartsWith("aab_", role, StringComparison.Ordinal);
        Assert.InRange(bytes, 5, 63);
        Assert.InRange(new DateTimeOffset(validUntil, TimeSpan.Zero) - request.NotAfter, TimeSpan.FromMilliseconds(-1), TimeSpan.FromMilliseconds(1));
        Assert.Equal(request.NotAfter, result.ExpiresAt);
        Assert.Equal(Revocability.Immediate, result.Revocability);
        Assert.Contains("terminated", result.RevocationNote, StringComparison.Ordinal);
        Assert.Equal(role, result.Credential.EnvironmentVariables["PGUSER"]);
    }

    [Fact]
    public async Task Mint_Password_IsLongUrlSafeAndOnlyItsScramVerifierIsStored()
    {
        var database = await _testbed.CreateDatabaseAsync(Shop);
        var (_, result) = await MintAsync([$"{database}.public.items"], "SELECT");
        var password = result.Credential.EnvironmentVariables["PGPASSWORD"];

        var stored = await _testbed.ScalarAsync<string>("postgres", "SELECT rolpassword FROM pg_authid WHERE rolname = $1", PostgresTestbed.Role(result));

        Assert.True(password.Length >= 32);
        Assert.Matches("^[A-Za-z0-9_-]+$", password);
        Assert.StartsWith("SCRAM-SHA-256$4096:", stored, StringComparison.Ordinal);
        Assert.DoesNotContain(password, stored!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mint_Prepared_UsesThePreparedPasswordAndDerivesNoOther()
    {
        var database = await _testbed.CreateDatabaseAsync(Shop);
        var derived = 0;
        var counting = _testbed.Provider(newSecret: () => LoginSecret.FromPassword("prepared-" + ++derived));
        var request = _testbed.Request(_testbed.Target(), [$"{database}.public.items"], "SELECT");

        var prepared = counting.Prepare(request.Target);
        var result = await counting.MintPreparedAsync(request, counting.Plan(request), prepared, CancellationToken.None);

        Assert.Equal(1, derived);
        Assert.Equal("prepared-1", result.Credential.EnvironmentVariables["PGPASSWORD"]);
        Assert.True(await LoginProbe.CanRunAsync(result.Credential, "SELECT * FROM items"));
        await counting.RevokeAsync(PostgresTestbed.Revocation(request, result.RevocationData), CancellationToken.None);
    }

    [Fact]
    public async Task Mint_EveryCredentialForm_LogsInWithPsqlOrNpgsql()
    {
        var database = await _testbed.CreateDatabaseAsync(Shop);
        var (_, result) = await MintAsync([$"{database}.public.items"], "SELECT");
        var credential = result.Credential;

        Assert.True(await LoginProbe.CanRunAsync(credential, "SELECT * FROM items"));
        Assert.Equal("1", await PsqlAsync(credential.Forms["uri"], new Dictionary<string, string>()));
        Assert.Equal("1", await PsqlAsync(credential.Forms["libpq"], new Dictionary<string, string>()));
        Assert.Equal("1", await PsqlAsync(null, credential.EnvironmentVariables));
        Assert.Equal(["PGDATABASE", "PGHOST", "PGPASSWORD", "PGPORT", "PGSSLMODE", "PGUSER"], credential.EnvironmentVariables.Keys.Order());
        Assert.DoesNotContain(credential.EnvironmentVariables["PGPASSWORD"], credential.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mint_HostileNames_AreQuotedAndCannotInject()
    {
        const string schema = "we\"ird; schema";
        const string quoteTable = "x\"; DROP TABLE victim; --";
        const string apostropheTable = "it's\\ok";
        const string unicodeTable = "ünïcödé 😀";
        var database = await _testbed.CreateDatabaseAsync($"""
            CREATE TABLE victim (id int);
            CREATE SCHEMA {PostgresQuoting.Identifier(schema)};
            CREATE TABLE {PostgresQuoting.Qualified(schema, quoteTable)} (id int);
            CREATE TABLE {PostgresQuoting.Qualified("public", apostropheTable)} (id int);
            CREATE TABLE {PostgresQuoting.Qualified("public", unicodeTable)} (id int);
            """, name: "shop\"; DROP DATABASE postgres; --");

        var provider = _testbed.Provider();
        var (request, result) = await PostgresTestbed.MintAsync(provider, _testbed.Request(
            _testbed.Target(), [$"{database}.{schema}.{quoteTable}", $"{database}.public.{apostropheTable}", $"{database}.public.{unicodeTable}"], "SELECT"));
        var refused = await Assert.ThrowsAsync<CredentialRequestException>(() =>
            MintAsync([$"{database}.public.items; DROP TABLE victim"], "SELECT"));

        Assert.True(await LoginProbe.CanRunAsync(result.Credential, $"SELECT * FROM {PostgresQuoting.Qualified(schema, quoteTable)}", database));
        Assert.True(await LoginProbe.CanRunAsync(result.Credential, $"SELECT * FROM {PostgresQuoting.Qualified("public", apostropheTable)}", database));
        Assert.True(await LoginProbe.CanRunAsync(result.Credential, $"SELECT * FROM {PostgresQuoting.Qualified("public", unicodeTable)}", database));
        Assert.Equal("unknown_resource", refused.Code);
        await provider.RevokeAsync(PostgresTestbed.Revocation(request, result.RevocationData), CancellationToken.None);
        Assert.False(await _testbed.RoleExistsAsync(PostgresTestbed.Role(result)));
        Assert.Equal(1L, await _testbed.ScalarAsync<long>(database, "SELECT count(*) FROM pg_tables WHERE tablename = 'victim'"));
        Assert.Equal(1L, await _testbed.ScalarAsync<long>("postgres", "SELECT count(*) FROM pg_database WHERE datname = 'postgres'"));
    }

    [Fact]
    public async Task Mint_UnknownTableInSecondDatabase_RefusedBeforeTheRoleExistsAndKeepsPasswordOut()
    {
        const string password = "Known-Test-Password-0123456789-abcdefghijkl";
        var first = await _testbed.CreateDatabaseAsync(Shop);
        var second = await _testbed.CreateDatabaseAsync();
        var logs = new CapturingLoggerProvider();
        var provider = _testbed.Provider(logs: logs, password: password);
        var request = _testbed.Request(_testbed.Target(), [$"{first}.public.items", $"{second}.public.missing"], "SELECT");
        var role = LoginRoleName.For(request.LeaseId);

        var error = await Assert.ThrowsAsync<CredentialRequestException>(() => PostgresTestbed.MintAsync(provider, request));

        Assert.Equal("unknown_resource", error.Code);
        Assert.Contains($"{second}.public.missing", error.Message, StringComparison.Ordinal);
        Assert.False(await _testbed.RoleExistsAsync(role));
        Assert.Equal(0L, await _testbed.ScalarAsync<long>(first, "SELECT count(*) FROM information_schema.table_privileges WHERE grantee = $1", role));
        AssertNoSecret(password, error.ToString(), logs.AllText);

        // The grant groups are resolved before the lease role is created, so there is nothing to roll back.
        Assert.DoesNotContain(logs.Entries, e => e.Contains("rolling back", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Mint_ServerRefusesCreateRole_SafeErrorAndExistingRoleUntouched()
    {
        const string password = "Another-Known-Password-0123456789-abcdefghi";
        var database = await _testbed.CreateDatabaseAsync(Shop);
        var logs = new CapturingLoggerProvider();
        var provider = _testbed.Provider(logs: logs, password: password);
        var request = _testbed.Request(_testbed.Target(), [$"{database}.public.items"], "SELECT");
        var role = LoginRoleName.For(request.LeaseId);
        await _testbed.ExecuteAsync("postgres", $"CREATE ROLE {role}");

        var error = await Assert.ThrowsAsync<PostgresOperationException>(() => PostgresTestbed.MintAsync(provider, request));

        Assert.Equal("42710", error.SqlState);
        Assert.False(error.IsTransient);
        Assert.True(await _testbed.RoleExistsAsync(role));
        AssertNoSecret(password, error.ToString(), logs.AllText);
        Assert.DoesNotContain("SCRAM-SHA-256", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mint_AdminWithoutGrantOption_RefusesAndRollsBack()
    {
        var (admin, adminPassword) = await _testbed.CreateBrokerAdminAsync();
        var database = await _testbed.CreateDatabaseAsync($"{Shop} GRANT SELECT ON items TO {admin};");
        var provider = _testbed.Provider();
        var target = _testbed.Target(admin, adminPassword);

        var noGrantOption = _testbed.Request(target, [$"{database}.public.items"], "SELECT");
        var noPrivilegeAtAll = _testbed.Request(target, [$"{database}.public.secrets"], "SELECT");
        var first = await Assert.ThrowsAsync<CredentialRequestException>(() => PostgresTestbed.MintAsync(provider, noGrantOption));
        var second = await Assert.ThrowsAsync<CredentialRequestException>(() => PostgresTestbed.MintAsync(provider, noPrivilegeAtAll));

        Assert.Equal("broker_lacks_privilege", first.Code);
        Assert.Equal("broker_lacks_privilege", second.Code);
        Assert.False(await _testbed.RoleExistsAsync(LoginRoleName.For(noGrantOption.LeaseId)));
        Assert.False(await _testbed.RoleExistsAsync(LoginRoleName.For(noPrivilegeAtAll.LeaseId)));
    }

    [Fact]
    public async Task Mint_Revoke_Verify_LogsNeverContainPassword()
    {
        const string password = "Logged-Never-Password-0123456789-abcdefghij";
        var database = await _testbed.CreateDatabaseAsync(Shop);
        var logs = new CapturingLoggerProvider();
        var provider = _testbed.Provider(logs: logs, password: password);
        var (request, result) = await PostgresTestbed.MintAsync(provider, _testbed.Request(_testbed.Target(), [$"{database}.public.items"], "SELECT"));

        await provider.RevokeAsync(PostgresTestbed.Revocation(request, result.RevocationData), CancellationToken.None);
        await provider.VerifyAsync(PostgresTestbed.Revocation(request, result.RevocationData), CancellationToken.None);

        Assert.Equal(password, result.Credential.EnvironmentVariables["PGPASSWORD"]);
        Assert.Contains(logs.Entries, e => e.Contains("Minted", StringComparison.Ordinal) && e.Contains(PostgresTestbed.Role(result), StringComparison.Ordinal));
        Assert.Contains(logs.Entries, e => e.Contains("Revoked", StringComparison.Ordinal));
        AssertNoSecret(password, logs.AllText);
        AssertNoSecret(postgres.Cluster.SuperUserPassword, logs.AllText);
    }

    [Fact]
    public async Task Mint_ServerLoggingEveryStatement_LogShowsVerifierButNeverPassword()
    {
        const string password = "Server-Log-Password-0123456789-abcdefghijklm";
        var database = await _testbed.CreateDatabaseAsync(Shop);
        var (admin, adminPassword) = await _testbed.CreateBrokerAdminAsync("SUPERUSER");
        await _testbed.ExecuteAsync("postgres", $"ALTER ROLE {admin} SET log_statement = 'all'");
        var provider = _testbed.Provider(password: password);

        var (_, result) = await PostgresTestbed.MintAsync(provider, _testbed.Request(_testbed.Target(admin, adminPassword), [$"{database}.public.items"], "SELECT"));

        var serverLog = await ReadServerLogAsync();
        Assert.Contains($"CREATE ROLE \"{PostgresTestbed.Role(result)}\"", serverLog, StringComparison.Ordinal);
        Assert.Contains("SCRAM-SHA-256$4096:", serverLog, StringComparison.Ordinal);
        Assert.DoesNotContain(password, serverLog, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MintAndRevoke_ConcurrentLeasesOnOneTable_NeitherCollides()
    {
        // Concurrent GRANT/REVOKE on one table rewrite the same catalog row ("tuple concurrently updated").
        var database = await _testbed.CreateDatabaseAsync(Shop);
        var provider = _testbed.Provider(o => o.MaxRetryAttempts = 0);

        var minted = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ =>
            PostgresTestbed.MintAsync(provider, _testbed.Request(_testbed.Target(), [$"{database}.public.items"], "SELECT"))));
        foreach (var (_, result) in minted)
        {
            Assert.True(await LoginProbe.CanRunAsync(result.Credential, "SELECT * FROM items"));
        }

        await Task.WhenAll(minted.Select(m => provider.RevokeAsync(PostgresTestbed.Revocation(m.Request, m.Result.RevocationData), CancellationToken.None)));

        Assert.Equal(6, minted.Select(m => PostgresTestbed.Role(m.Result)).Distinct().Count());
        foreach (var (_, result) in minted)
        {
            Assert.False(await _testbed.RoleExistsAsync(PostgresTestbed.Role(result)));
        }
    }

    private async Task<(MintRequest Request, MintResult Result)> MintAsync(IReadOnlyList<string> resources, params string[] actions) =>
        await PostgresTestbed.MintAsync(_testbed.Provider(), _testbed.Request(_testbed.Target(), resources, actions));

    private async Task<List<string>> TablePrivilegesAsync(string database, string role) =>
        await _testbed.RowsAsync(database, """
            SELECT n.nspname || '.' || c.relname || '.' || p
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace, unnest(ARRAY['DELETE','INSERT','SELECT','UPDATE']) p
            WHERE c.relkind IN ('r','v','m','f','p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
              AND has_table_privilege($1::name, c.oid, p)
            ORDER BY 1
            """, role);

    private static void AssertNoSecret(string secret, params string[] texts)
    {
        foreach (var text in texts)
        {
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        }
    }

    private async Task<string> ReadServerLogAsync()
    {
        // The server writes the log itself; share the file while it is open for writing.
        await using var stream = new FileStream(Path.Combine(postgres.Cluster.DataDirectory, "server.log"), FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return await reader.ReadToEndAsync();
    }

    private static async Task<string> PsqlAsync(string? connection, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("psql") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("PG", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(key);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        start.Environment["PGCONNECT_TIMEOUT"] = "5";
        foreach (var argument in new[] { "--no-psqlrc", "--no-password", "--tuples-only", "--no-align", "--command", "SELECT count(*) FROM items" })
        {
            start.ArgumentList.Add(argument);
        }

        if (connection is not null)
        {
            start.ArgumentList.Add("--dbname");
            start.ArgumentList.Add(connection);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, await error);
        return (await output).Trim();
    }
}
