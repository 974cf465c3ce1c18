using AgentAccessBroker.Connectors.PostgreSql.Tests.Support;
using AgentAccessBroker.Credentials;
using AgentAccessBroker.Testing;
using Npgsql;

namespace AgentAccessBroker.Connectors.PostgreSql.Tests;

[Collection(PostgresCollection.Name)]
public sealed class RevokeTests(PostgresFixture postgres)
{
    private const string Shop = "CREATE TABLE items (id int PRIMARY KEY); INSERT INTO items VALUES (1);";

    private readonly PostgresTestbed _testbed = new(postgres);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Revoke_SessionOpenedBeforeRevoke_IsTerminated(bool combined)
    {
        var database = await _testbed.CreateDatabaseAsync(Shop);
        var provider = _testbed.Provider();
        var (request, result) = await MintAsync(provider, [$"{database}.public.items"]);
        await using var session = await LoginProbe.OpenAsync(result.Credential);
        await using (var before = new NpgsqlCommand("SELECT count(*) FROM items", session))
        {
            Assert.Equal(1L, await before.ExecuteScalarAsync());
        }

        await RevokeAsync(provider, PostgresTestbed.Revocation(request, result.RevocationData), combined);

        await using var after = new NpgsqlCommand("SELECT count(*) FROM items", session);
        var error = await Assert.ThrowsAnyAsync<NpgsqlException>(() => after.ExecuteScalarAsync());
        Assert.True(error is not PostgresException || ((PostgresException)error).SqlState == "57P01", error.Message);
        Assert.False(await LoginProbe.CanRunAsync(result.Credential, "SELECT 1"));
        Assert.False(await _testbed.RoleExistsAsync(PostgresTestbed.Role(result)));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Revoke_RoleOwnsObjectsInGrantedAndUngrantedDatabases_ReassignsThemAndDropsRole(bool combined)
    {
        var first = await _testbed.CreateDatabaseAsync(Shop);
        var second = await _testbed.CreateDatabaseAsync(Shop);
        var untouched = await _testbed.CreateDatabaseAsync();
        var provider = _testbed.Provider();
        var (request, result) = await MintAsync(provider, [$"{first}.public.items", $"{second}.public.items"]);
        var role = PostgresTestbed.Role(result);
        // The role reaches databases it was not granted through PUBLIC's default CONNECT; objects it owns there
        // must not block DROP ROLE either.
        await _testbed.ExecuteAsync(first, $"CREATE TABLE made_by_agent (id int); ALTER TABLE made_by_agent OWNER TO {role};");
        await _testbed.ExecuteAsync(second, $"CREATE SCHEMA agent_scratch AUTHORIZATION {role};");
        await _testbed.ExecuteAsync(untouched, $"CREATE TABLE stray (id int); ALTER TABLE stray OWNER TO {role}; GRANT SELECT ON stray TO {role};");

        await RevokeAsync(provider, PostgresTestbed.Revocation(request, result.RevocationData), combined);

        Assert.False(await _testbed.RoleExistsAsync(role));
        Assert.Equal(_testbed.SuperUser, await _testbed.ScalarAsync<string>(first, "SELECT tableowner::text FROM pg_tables WHERE tablename = 'made_by_agent'"));
        Assert.Equal(_testbed.SuperUser, await _testbed.ScalarAsync<string>(second, "SELECT nspowner::regrole::text FROM pg_namespace WHERE nspname = 'agent_scratch'"));
        Assert.Equal(_testbed.SuperUser, await _testbed.ScalarAsync<string>(untouched, "SELECT tableowner::text FROM pg_tables WHERE tablename = 'stray'"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Revoke_AsCreateRoleAdminWithoutSuperuser_TerminatesSessionAndRemovesOwnedObjects(bool combined)
    {
        var (admin, adminPassword) = await _testbed.CreateBrokerAdminAsync();
        var database = await _testbed.CreateDatabaseAsync($"{Shop} ALTER TABLE items OWNER TO {admin};");
        var provider = _testbed.Provider();
        var (request, result) = await PostgresTestbed.MintAsync(provider, _testbed.Request(_testbed.Target(admin, adminPassword), [$"{database}.public.items"], "SELECT"));
        var role = PostgresTestbed.Role(result);
        await _testbed.ExecuteAsync(database, $"CREATE TABLE made_by_agent (id int); ALTER TABLE made_by_agent OWNER TO {role};");
        await using var session = await LoginProbe.OpenAsync(result.Credential);

        await RevokeAsync(provider, PostgresTestbed.Revocation(request, result.RevocationData), combined);

        await using var after = new NpgsqlCommand("SELECT 1", session);
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => after.ExecuteScalarAsync());
        Assert.False(await _testbed.RoleExistsAsync(role));
        Assert.Equal(admin, await _testbed.ScalarAsync<string>(database, "SELECT tableowner::text FROM pg_tables WHERE tablename = 'made_by_agent'"));
    }

    [Fact]
    public async Task Mint_AsCreateRoleAdmin_AdminIsNotMadeAMemberOfTheLeaseRole()
    {
        // Regression (issue 23): an admin that was a member of every live lease role paid for it in every privilege
        // check, and revocation slowed 50x between 100 and 10,000 live leases.
        var (admin, adminPassword) = await _testbed.CreateBrokerAdminAsync();
        var database = await _testbed.CreateDatabaseAsync($"{Shop} ALTER TABLE items OWNER TO {admin};");
        var provider = _testbed.Provider();

        var (_, result) = await PostgresTestbed.MintAsync(provider, _testbed.Request(_testbed.Target(admin, adminPassword), [$"{database}.public.items"], "SELECT"));

        Assert.True(await LoginProbe.CanRunAsync(result.Credential, "SELECT * FROM items"));
        Assert.Equal(0L, await AdminMembershipsInLeaseRolesAsync(admin));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Revoke_AsCreateRoleAdminRoleOwnsNothing_TerminatesSessionAndDropsRoleWithoutMembership(bool combined)
    {
        var (admin, adminPassword) = await _testbed.CreateBrokerAdminAsync();
        var database = await _testbed.CreateDatabaseAsync($"{Shop} ALTER TABLE items OWNER TO {admin};");
        var provider = _testbed.Provider();
        var (request, result) = await PostgresTestbed.MintAsync(provider, _testbed.Request(_testbed.Target(admin, adminPassword), [$"{database}.public.items"], "SELECT"));
        var role = PostgresTestbed.Role(result);
        await using var session = await LoginProbe.OpenAsync(result.Credential);

        await RevokeAsync(provider, PostgresTestbed.Revocation(request, result.RevocationData), combined);

        // pg_signal_backend alone lets the admin end the session; it never needed the role's privileges for that.
        await using var after = new NpgsqlCommand("SELECT 1", session);
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => after.ExecuteScalarAsync());
        Assert.False(await _testbed.RoleExistsAsync(role));
        var verification = await provider.VerifyAsync(PostgresTestbed.Revocation(request, result.RevocationData), CancellationToken.None);
        Assert.True(verification.Revoked, verification.Evidence);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Revoke_RoleMintedWhenTheAdminBecameAMember_StillReassignsOwnedObjectsAndDrops(bool combined)
    {
        // Leases minted before the admin stopped joining every lease role: the revocation's own GRANT finds the
        // membership already there (a notice, not an error).
        var (admin, adminPassword) = await _testbed.CreateBrokerAdminAsync();
        var database = await _testbed.CreateDatabaseAsync($"{Shop} ALTER TABLE items OWNER TO {admin};");
        var provider = _testbed.Provider();
        var (request, result) = await PostgresTestbed.MintAsync(provider, _testbed.Request(_testbed.Target(admin, adminPassword), [$"{database}.public.items"], "SELECT"));
        var role = PostgresTestbed.Role(result);
        await _testbed.ExecuteAsync("postgres", $"GRANT {role} TO {admin};");
        await _testbed.ExecuteAsync(database, $"CREATE TABLE made_by_agent (id int); ALTER TABLE made_by_agent OWNER TO {role};");

        await RevokeAsync(provider, PostgresTestbed.Revocation(request, result.RevocationData), combined);

        Assert.False(await _testbed.RoleExistsAsync(role));
        Assert.Equal(admin, await _testbed.ScalarAsync<string>(database, "SELECT tableowner::text FROM pg_tables WHERE tablename = 'made_by_agent'"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Revoke_ToCustomOwnerRole_ReassignsOwnedObjectsToIt(bool combined)
    {
        var database = await _testbed.CreateDatabaseAsync(Shop);
        await _testbed.ExecuteAsync("postgres", $"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'app_owner') THEN CREATE ROLE app_owner; END IF; END $$;");
        var target = _testbed.Target(extra: new Dictionary<string, string> { ["owner_role"] = "app_owner" });
        var provider = _testbed.Provider();
        var (request, result) = await PostgresTestbed.MintAsync(provider, _testbed.Request(target, [$"{database}.public.items"], "SELECT"));
        await _testbed.ExecuteAsync(database, $"CREATE TABLE report (id int); ALTER TABLE report OWNER TO {PostgresTestbed.Role(result)};");

        await RevokeAsync(provider, PostgresTestbed.Revocation(request, result.RevocationData), combined);

        Assert.Equal("app_owner", await _testbed.ScalarAsync<string>(database, "SELECT tableowner::text FROM pg_tables WHERE tablename = 'report'"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Revoke_RoleDroppedOutsideBrokerWhileSessionOpen_TerminatesOrphanedSessionByOid(bool combined)
    {
        var database = await _testbed.CreateDatabaseAsync(Shop);
        var provider = _testbed.Provider();
        var (request, result) = await MintAsync(provider, [$"{database}.public.items"]);
        var role = PostgresTestbed.Role(result);
        await using var session = await LoginProbe.OpenAsync(result.Credential);
        await _testbed.ExecuteAsync(database, $"DROP OWNED BY {role}");
        await _testbed.ExecuteAsync("postgres", $"DROP ROLE {role}");
        await using (var orphan = new NpgsqlCommand("SELECT 1", session))
        {
            Assert.Equal(1, await orphan.ExecuteScalarAsync());
        }

        var revocation = PostgresTestbed.Revocation(request, PostgresTestbed.Persisted(result.RevocationData));
        Assert.False((await provider.VerifyAsync(revocation, CancellationToken.None)).Revoked);
        await RevokeAsync(provider, revocation, combined);

        await using var after = new NpgsqlCommand("SELECT 1", session);
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => after.ExecuteScalarAsync());
        Assert.True((await provider.VerifyAsync(revocation, CancellationToken.None)).Revoked);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Revoke_DatabaseDroppedSinceMint_StillDropsRole(bool combined)
    {
        var kept = await _testbed.CreateDatabaseAsync(Shop);
        var dropped = await _testbed.CreateDatabaseAsync(Shop);
        var provider = _testbed.Provider();
        var (request, result) = await MintAsync(provider, [$"{kept}.public.items", $"{dropped}.public.items"]);
        await _testbed.ExecuteAsync("postgres", $"DROP DATABASE \"{dropped}\" WITH (FORCE)");

        await RevokeAsync(provider, PostgresTestbed.Revocation(request, result.RevocationData), combined);

        Assert.False(await _testbed.RoleExistsAsync(PostgresTestbed.Role(result)));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Revoke_ServerBrieflyStartingUp_RetriesAndSucceeds(bool combined)
    {
        var database = await _testbed.CreateDatabaseAsync(Shop);
        var logs = new CapturingLoggerProvider();
        var provider = _testbed.Provider(o => o.MaxRetryAttempts = 4, logs);
        var (request, result) = await MintAsync(provider, [$"{database}.public.items"]);
        await using var proxy = PostgresFaultProxy.Start(_testbed.Port, refuseFirst: 2);

        await RevokeAsync(provider, PostgresTestbed.Revocation(request, ThroughProxy(result.RevocationData, proxy)), combined);

        Assert.Equal(2, proxy.Refused);
        Assert.True(proxy.Accepted >= 3);
        Assert.Equal(2, logs.Entries.Count(e => e.Contains("57P03", StringComparison.Ordinal) && e.Contains("retrying", StringComparison.Ordinal)));
        Assert.False(await _testbed.RoleExistsAsync(PostgresTestbed.Role(result)));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Revoke_ServerPersistentlyStartingUp_GivesUpAfterBoundedRetriesWithSafeError(bool combined)
    {
        var database = await _testbed.CreateDatabaseAsync(Shop);
        var provider = _testbed.Provider(o => o.MaxRetryAttempts = 3);
        var (request, result) = await MintAsync(provider, [$"{database}.public.items"]);
        await using var proxy = PostgresFaultProxy.Start(_testbed.Port, refuseFirst: int.MaxValue);

        var error = await Assert.ThrowsAsync<PostgresOperationException>(() =>
            RevokeAsync(provider, PostgresTestbed.Revocation(request, ThroughProxy(result.RevocationData, proxy)), combined));

        Assert.Equal(4, proxy.Accepted);
        Assert.True(error.IsTransient);
        Assert.Equal("57P03", error.SqlState);
        Assert.Contains(PostgresTestbed.Role(result), error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(postgres.Cluster.SuperUserPassword, error.ToString(), StringComparison.Ordinal);
        Assert.True(await _testbed.RoleExistsAsync(PostgresTestbed.Role(result)));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Revoke_NothingListeningOnPort_FailsAfterBoundedRetriesWithSafeError(bool combined)
    {
        var logs = new CapturingLoggerProvider();
        var provider = _testbed.Provider(o => o.MaxRetryAttempts = 2, logs);
        var request = _testbed.Request(_testbed.Target(), ["app.public.items"], "SELECT");
        var plan = provider.Plan(request).With("port", ClosedPort().ToString(System.Globalization.CultureInfo.InvariantCulture));

        var error = await Assert.ThrowsAsync<PostgresOperationException>(() =>
            RevokeAsync(provider, PostgresTestbed.Revocation(request, plan), combined));

        Assert.True(error.IsTransient);
        Assert.Equal(2, logs.Entries.Count(e => e.Contains("retrying", StringComparison.Ordinal)));
        Assert.DoesNotContain(postgres.Cluster.SuperUserPassword, error.ToString() + logs.AllText, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Revoke_AdminPasswordWrong_FailsOnceWithoutRetryOrEcho(bool combined)
    {
        const string wrong = "wrong-admin-password-must-not-echo";
        await using var proxy = PostgresFaultProxy.Start(_testbed.Port, refuseFirst: 0);
        var provider = _testbed.Provider(o => o.MaxRetryAttempts = 4);
        var request = _testbed.Request(_testbed.Target(password: wrong), ["app.public.items"], "SELECT");

        var error = await Assert.ThrowsAsync<PostgresOperationException>(() =>
            RevokeAsync(provider, PostgresTestbed.Revocation(request, ThroughProxy(provider.Plan(request), proxy)), combined));

        Assert.Equal("28P01", error.SqlState);
        Assert.False(error.IsTransient);
        Assert.Equal(1, proxy.Accepted);
        Assert.DoesNotContain(wrong, error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Revoke_OwnerRoleMissing_FailsAfterLoginIsCutAndSessionsEnded(bool combined)
    {
        var database = await _testbed.CreateDatabaseAsync(Shop);
        var target = _testbed.Target(extra: new Dictionary<string, string> { ["owner_role"] = "no_such_owner_role" });
        var provider = _testbed.Provider();
        var (request, result) = await PostgresTestbed.MintAsync(provider, _testbed.Request(target, [$"{database}.public.items"], "SELECT"));
        await using var session = await LoginProbe.OpenAsync(result.Credential);

        var error = await Assert.ThrowsAsync<PostgresOperationException>(() =>
            RevokeAsync(provider, PostgresTestbed.Revocation(request, result.RevocationData), combined));

        Assert.Contains("owner_role", error.Message, StringComparison.Ordinal);
        Assert.False(error.IsTransient);
        Assert.False(await LoginProbe.CanRunAsync(result.Credential, "SELECT 1"));
        await using var after = new NpgsqlCommand("SELECT 1", session);
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => after.ExecuteScalarAsync());
        var verification = await provider.VerifyAsync(PostgresTestbed.Revocation(request, result.RevocationData), CancellationToken.None);
        Assert.True(verification.Revoked, verification.Evidence);
        Assert.Contains("cannot log in", verification.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RevokeAndVerify_RoleAlreadyRevoked_VerifiesAndLeavesThePooledConnectionUsable()
    {
        var database = await _testbed.CreateDatabaseAsync(Shop);
        var provider = _testbed.Provider();
        var (first, firstResult) = await MintAsync(provider, [$"{database}.public.items"]);
        var (second, secondResult) = await MintAsync(provider, [$"{database}.public.items"]);
        var revocation = PostgresTestbed.Revocation(first, firstResult.RevocationData);
        await provider.RevokeAsync(revocation, CancellationToken.None);

        // The batch's NOLOGIN fails on the missing role (42704); the one-by-one path finishes and verifies.
        var again = await provider.RevokeAndVerifyAsync(revocation, CancellationToken.None);
        var other = await provider.RevokeAndVerifyAsync(PostgresTestbed.Revocation(second, secondResult.RevocationData), CancellationToken.None);

        Assert.True(again.Revoked, again.Evidence);
        Assert.Contains("has no role named", again.Evidence, StringComparison.Ordinal);
        Assert.True(other.Revoked, other.Evidence);
        Assert.False(await _testbed.RoleExistsAsync(PostgresTestbed.Role(secondResult)));
    }

    [Fact]
    public async Task RevokeAndVerify_SessionOpen_EvidenceIsReadAfterTheDropOnTheCatalogs()
    {
        var database = await _testbed.CreateDatabaseAsync(Shop);
        var provider = _testbed.Provider();
        var (request, result) = await MintAsync(provider, [$"{database}.public.items"]);
        await using var session = await LoginProbe.OpenAsync(result.Credential);
        var revocation = PostgresTestbed.Revocation(request, result.RevocationData);

        var verification = await provider.RevokeAndVerifyAsync(revocation, CancellationToken.None);

        Assert.True(verification.Revoked, verification.Evidence);
        Assert.Contains($"pg_roles on {postgres.Cluster.Host}:{_testbed.Port} has no role named {PostgresTestbed.Role(result)}", verification.Evidence, StringComparison.Ordinal);
        Assert.Contains("pg_stat_activity shows no session", verification.Evidence, StringComparison.Ordinal);
        Assert.Equal(verification.Evidence, (await provider.VerifyAsync(revocation, CancellationToken.None)).Evidence);
        await using var after = new NpgsqlCommand("SELECT 1", session);
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => after.ExecuteScalarAsync());
    }

    /// <summary>Revokes step by step (<c>RevokeAsync</c>) or as the broker does (<c>RevokeAndVerifyAsync</c>, whose verification must say revoked).</summary>
    private static async Task RevokeAsync(PostgresLoginRoleProvider provider, RevocationRequest revocation, bool combined)
    {
        if (!combined)
        {
            await provider.RevokeAsync(revocation, CancellationToken.None);
            return;
        }

        var verification = await provider.RevokeAndVerifyAsync(revocation, CancellationToken.None);
        Assert.True(verification.Revoked, verification.Evidence);
    }

    private async Task<(MintRequest Request, MintResult Result)> MintAsync(ICredentialProvider provider, IReadOnlyList<string> resources) =>
        await PostgresTestbed.MintAsync(provider, _testbed.Request(_testbed.Target(), resources, "SELECT"));

    private static RevocationData ThroughProxy(RevocationData data, PostgresFaultProxy proxy) =>
        data.With("port", proxy.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));

    private static int ClosedPort()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private Task<long> AdminMembershipsInLeaseRolesAsync(string admin) =>
        _testbed.ScalarAsync<long>(
            "postgres",
            "SELECT count(*) FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid WHERE m.member = (SELECT oid FROM pg_roles WHERE rolname = $1) AND r.rolname LIKE 'aab\\_%' AND r.rolname NOT LIKE 'aabg\\_%'",
            admin);
}
