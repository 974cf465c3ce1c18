using AgentAccessBroker.Connectors.PostgreSql.Tests.Support;
using AgentAccessBroker.Credentials;
using AgentAccessBroker.Testing;

namespace AgentAccessBroker.Connectors.PostgreSql.Tests;

/// <summary>
/// Privileges go through one broker-owned group role per distinct grant, so table ACLs stop growing with live leases
/// (finding: a table held about 2,400 directly granted lease roles, then every mint failed with 54000 "row is too big").
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class GrantGroupTests(PostgresFixture postgres)
{
    private const string Shop = """
        CREATE TABLE items (id int PRIMARY KEY, name text);
        INSERT INTO items VALUES (1, 'one');
        CREATE SCHEMA sales;
        CREATE TABLE sales.orders (id serial PRIMARY KEY, total int);
        """;

    private readonly PostgresTestbed _testbed = new(postgres);

    [Fact]
    public async Task Mint_3000LeasesOnOneTable_AllMintAndTheAclStopsGrowingAfterTheFirst()
    {
        const int Leases = 3000;
        var database = await _testbed.CreateDatabaseAsync(Shop);
        var provider = _testbed.Provider();
        var target = _testbed.Target();
        var roles = new System.Collections.Concurrent.ConcurrentBag<string>();
        MintResult? last = null;
        try
        {
            // The first grant gives the table an ACL (owner plus the group); nothing after it may add an entry.
            var (_, firstLease) = await PostgresTestbed.MintAsync(provider, _testbed.Request(target, [$"{database}.public.items"], "SELECT"));
            roles.Add(PostgresTestbed.Role(firstLease));
            var aclAfterFirst = await AclEntriesAsync(database, "public.items");
            await Parallel.ForAsync(1, Leases, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (_, _) =>
            {
                var (_, result) = await PostgresTestbed.MintAsync(provider, _testbed.Request(target, [$"{database}.public.items"], "SELECT"));
                roles.Add(PostgresTestbed.Role(result));
                last = result;
            });

            Assert.Equal(Leases, roles.Count);
            Assert.Equal(aclAfterFirst, await AclEntriesAsync(database, "public.items"));
            Assert.True(await LoginProbe.CanRunAsync(last!.Credential, "SELECT * FROM items"));
            Assert.Equal(1L, await _testbed.ScalarAsync<long>(database, "SELECT count(*) FROM pg_roles WHERE rolname LIKE 'aabg\\_%' AND pg_has_role(rolname, 'USAGE') AND has_table_privilege(rolname, 'public.items', 'SELECT')"));
        }
        finally
        {
            await _testbed.ExecuteAsync("postgres", "DO $$ DECLARE r text; BEGIN FOR r IN SELECT unnest(ARRAY['" + string.Join("','", roles) + "']) LOOP EXECUTE format('DROP ROLE IF EXISTS %I', r); END LOOP; END $$;");
        }
    }

    [Fact]
    public async Task Mint_SameGrantTwice_SharesOneGroupAndADifferentGrantGetsItsOwn()
    {
        var database = await _testbed.CreateDatabaseAsync(Shop);
        var provider = _testbed.Provider();
        var target = _testbed.Target();

        var (_, first) = await PostgresTestbed.MintAsync(provider, _testbed.Request(target, [$"{database}.public.items"], "SELECT"));
        var (_, second) = await PostgresTestbed.MintAsync(provider, _testbed.Request(target, [$"{database}.public.items"], "select"));
        var (_, writer) = await PostgresTestbed.MintAsync(provider, _testbed.Request(target, [$"{database}.public.items"], "SELECT", "UPDATE"));

        var firstGroups = await GroupsOfAsync(PostgresTestbed.Role(first));
        Assert.Single(firstGroups);
        Assert.Equal(firstGroups, await GroupsOfAsync(PostgresTestbed.Role(second)));
        Assert.NotEqual(firstGroups, await GroupsOfAsync(PostgresTestbed.Role(writer)));
        Assert.Equal("42501", await LoginProbe.SqlStateOfAsync(first.Credential, "UPDATE items SET name = 'x'"));
        Assert.Null(await LoginProbe.SqlStateOfAsync(writer.Credential, "UPDATE items SET name = 'x'"));
    }

    [Fact]
    public async Task Revoke_MemberOfAGroup_DropsOnlyTheLeaseRoleAndTheOtherLeaseKeepsWorking()
    {
        var database = await _testbed.CreateDatabaseAsync(Shop);
        var provider = _testbed.Provider();
        var target = _testbed.Target();
        var (request, revoked) = await PostgresTestbed.MintAsync(provider, _testbed.Request(target, [$"{database}.public.items"], "SELECT"));
        var (_, kept) = await PostgresTestbed.MintAsync(provider, _testbed.Request(target, [$"{database}.public.items"], "SELECT"));
        await using var open = await LoginProbe.OpenAsync(revoked.Credential);
        var group = Assert.Single(await GroupsOfAsync(PostgresTestbed.Role(revoked)));

        await provider.RevokeAsync(PostgresTestbed.Revocation(request, revoked.RevocationData), CancellationToken.None);

        Assert.False(await _testbed.RoleExistsAsync(PostgresTestbed.Role(revoked)));
        Assert.False(await LoginProbe.CanRunAsync(revoked.Credential, "SELECT 1"));
        Assert.True((await provider.VerifyAsync(PostgresTestbed.Revocation(request, revoked.RevocationData), CancellationToken.None)).Revoked);
        Assert.True(await _testbed.RoleExistsAsync(group));
        Assert.True(await LoginProbe.CanRunAsync(kept.Credential, "SELECT * FROM items"));
    }

    [Fact]
    public async Task Mint_TableCreatedAfterASchemaLease_OlderLeaseNeverGainsIt()
    {
        var database = await _testbed.CreateDatabaseAsync(Shop);
        var provider = _testbed.Provider();
        var target = _testbed.Target();
        var (_, older) = await PostgresTestbed.MintAsync(provider, _testbed.Request(target, [$"{database}.sales"], "SELECT"));
        await _testbed.ExecuteAsync(database, "CREATE TABLE sales.invoices (id int)");

        var (_, newer) = await PostgresTestbed.MintAsync(provider, _testbed.Request(target, [$"{database}.sales"], "SELECT"));

        Assert.True(await LoginProbe.CanRunAsync(newer.Credential, "SELECT * FROM sales.invoices, sales.orders"));
        Assert.True(await LoginProbe.CanRunAsync(older.Credential, "SELECT * FROM sales.orders"));
        Assert.Equal("42501", await LoginProbe.SqlStateOfAsync(older.Credential, "SELECT * FROM sales.invoices"));
    }

    [Fact]
    public async Task Mint_GroupLostItsGrant_NextMintRepairsIt()
    {
        var database = await _testbed.CreateDatabaseAsync(Shop);
        var provider = _testbed.Provider();
        var target = _testbed.Target();
        var (_, first) = await PostgresTestbed.MintAsync(provider, _testbed.Request(target, [$"{database}.public.items"], "SELECT"));
        var group = Assert.Single(await GroupsOfAsync(PostgresTestbed.Role(first)));
        await _testbed.ExecuteAsync(database, $"REVOKE SELECT ON items FROM \"{group}\"");

        var (_, second) = await PostgresTestbed.MintAsync(provider, _testbed.Request(target, [$"{database}.public.items"], "SELECT"));

        Assert.True(await LoginProbe.CanRunAsync(second.Credential, "SELECT * FROM items"));
    }

    /// <summary>
    /// Migration: a deployment upgraded with live leases minted the old way (privileges granted to the lease role
    /// itself). Their revocation needs nothing new: DROP OWNED removes the direct grants, then the role is dropped.
    /// </summary>
    [Fact]
    public async Task Revoke_LeaseMintedBeforeGroupRoles_RemovesItsDirectGrantAndRole()
    {
        var database = await _testbed.CreateDatabaseAsync(Shop);
        var provider = _testbed.Provider();
        var target = _testbed.Target();
        var request = _testbed.Request(target, [$"{database}.public.items"], "SELECT");
        var plan = provider.Plan(request);
        var role = plan.Require("role");
        await _testbed.ExecuteAsync("postgres", $"CREATE ROLE \"{role}\" LOGIN INHERIT PASSWORD 'old-style-lease-password-0123456789'");
        await _testbed.ExecuteAsync(database, $"GRANT SELECT ON items TO \"{role}\"");
        var (_, current) = await PostgresTestbed.MintAsync(provider, _testbed.Request(target, [$"{database}.public.items"], "SELECT"));
        var aclWithOldGrant = await AclEntriesAsync(database, "public.items");

        await provider.RevokeAsync(PostgresTestbed.Revocation(request, plan), CancellationToken.None);

        Assert.False(await _testbed.RoleExistsAsync(role));
        Assert.Equal(aclWithOldGrant - 1, await AclEntriesAsync(database, "public.items"));
        Assert.True((await provider.VerifyAsync(PostgresTestbed.Revocation(request, plan), CancellationToken.None)).Revoked);
        Assert.True(await LoginProbe.CanRunAsync(current.Credential, "SELECT * FROM items"));
    }

    private async Task<int> AclEntriesAsync(string database, string table) =>
        await _testbed.ScalarAsync<int>(database, "SELECT coalesce(cardinality(relacl), 0) FROM pg_class WHERE oid = $1::regclass", table);

    private async Task<List<string>> GroupsOfAsync(string role) =>
        await _testbed.RowsAsync("postgres", """
            SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles r ON r.oid = m.member
            WHERE r.rolname = $1 AND g.rolname LIKE 'aabg\_%' ORDER BY 1
            """, role);
}
