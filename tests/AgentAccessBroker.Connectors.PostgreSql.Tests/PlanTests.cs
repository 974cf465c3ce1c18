using System.Text;
using System.Text.Json;
using AgentAccessBroker.Connectors.PostgreSql.Tests.Support;
using AgentAccessBroker.Credentials;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AgentAccessBroker.Connectors.PostgreSql.Tests;

/// <summary>Plan runs before anything touches the server; these tests need no server.</summary>
public sealed class PlanTests
{
    private const string AdminPassword = "admin-password-never-in-plans";
    private readonly DictionarySecretResolver _secrets = new();
    private readonly TargetSettings _target;
    private readonly PostgresLoginRoleProvider _provider;

    public PlanTests()
    {
        _target = new TargetSettings(
            "db",
            "postgresql",
            new Dictionary<string, string> { ["host"] = "db.internal", ["port"] = "6543", ["username"] = "aab_admin_role", ["admin_database"] = "admin" },
            new Dictionary<string, SecretReference> { ["password"] = _secrets.Add(AdminPassword) });
        _provider = new PostgresLoginRoleProvider(Options.Create(new PostgresConnectorOptions()), _secrets, TimeProvider.System, NullLogger<PostgresLoginRoleProvider>.Instance);
    }

    [Fact]
    public void Plan_LeaseIdFromIds_RoleIsPrefixedLeaseIdOfSafeCharacters()
    {
        var request = Request("lease_abcdefghijklmnop", ["app.public.orders"], "SELECT");

        var data = _provider.Plan(request);

        Assert.Equal("aab_lease_abcdefghijklmnop", data.Require("role"));
    }

    [Theory]
    [InlineData("Lease-With-Capitals")]
    [InlineData("lease_ünïcödé_€€€")]
    [InlineData("lease_with_a_very_long_identifier_that_goes_well_beyond_sixty_three_bytes_0123456789")]
    [InlineData("x_looks_like_a_hash")]
    public void Plan_UnusualLeaseId_RoleIsHashedSafeAndWithinNameLimit(string leaseId)
    {
        var role = _provider.Plan(Request(leaseId, ["app"], "SELECT")).Require("role");

        Assert.Matches("^aab_x_[0-9a-f]{40}$", role);
        Assert.True(Encoding.UTF8.GetByteCount(role) <= 63);
    }

    [Theory]
    [InlineData("lease_a", "Lease_a")]
    [InlineData("lease_a", "lease-a")]
    [InlineData("x_abc", "abc")]
    [InlineData("lease_0123456789012345678901234567890123456789012345678901234", "lease_01234567890123456789012345678901234567890123456789012345")]
    public void Plan_DistinctLeaseIds_DistinctRoles(string first, string second)
    {
        var a = _provider.Plan(Request(first, ["app"], "SELECT")).Require("role");
        var b = _provider.Plan(Request(second, ["app"], "SELECT")).Require("role");

        Assert.NotEqual(a, b);
        Assert.All(new[] { a, b }, r => Assert.True(Encoding.UTF8.GetByteCount(r) <= 63));
    }

    [Fact]
    public void Plan_Resources_RecordsServerAndDatabasesInOrderWithoutSecrets()
    {
        var data = _provider.Plan(Request("lease_abc", ["sales.public.orders", "hr", "sales.reporting"], "select", "INSERT"));

        Assert.Equal("db.internal", data.Require("host"));
        Assert.Equal("6543", data.Require("port"));
        Assert.Equal("admin", data.Require("admin_database"));
        Assert.Equal(["sales", "hr"], JsonSerializer.Deserialize<string[]>(data.Require("databases"))!);
        Assert.DoesNotContain(data.Values, v => v.Value.Contains(AdminPassword, StringComparison.Ordinal));
        Assert.DoesNotContain(data.Values.Keys, k => k.Contains("password", StringComparison.OrdinalIgnoreCase));
    }

    [Theory]
    [InlineData("select")]
    [InlineData("Insert")]
    [InlineData(" UPDATE ")]
    [InlineData("delete")]
    public void Plan_AllowedActionInAnyCase_Accepted(string action)
    {
        var data = _provider.Plan(Request("lease_abc", ["app"], action));

        Assert.Equal("aab_lease_abc", data.Require("role"));
    }

    [Theory]
    [InlineData("TRUNCATE")]
    [InlineData("ALL")]
    [InlineData("DROP")]
    [InlineData("REFERENCES")]
    [InlineData("SELECT; DROP TABLE users")]
    [InlineData("")]
    public void Plan_UnsupportedAction_ThrowsUnsupportedPrivilegeNamingAllowedSet(string action)
    {
        var error = Assert.Throws<CredentialRequestException>(() => _provider.Plan(Request("lease_abc", ["app"], "SELECT", action)));

        Assert.Equal("unsupported_privilege", error.Code);
        Assert.Contains("SELECT, INSERT, UPDATE, DELETE", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_NoAction_ThrowsUnsupportedPrivilege()
    {
        var error = Assert.Throws<CredentialRequestException>(() => _provider.Plan(Request("lease_abc", ["app"])));

        Assert.Equal("unsupported_privilege", error.Code);
    }

    [Theory]
    [InlineData("")]
    [InlineData("app..orders")]
    [InlineData("app.public.orders.extra")]
    [InlineData(".public")]
    [InlineData(" app")]
    [InlineData("app.public.orders ")]
    [InlineData("app.pub\nlic")]
    [InlineData("app.pub\u0000lic")]
    [InlineData("app.public.a123456789012345678901234567890123456789012345678901234567890123")]
    [InlineData("app.public.€€€€€€€€€€€€€€€€€€€€€€")]
    public void Plan_InvalidResource_ThrowsInvalidResource(string resource)
    {
        var error = Assert.Throws<CredentialRequestException>(() => _provider.Plan(Request("lease_abc", [resource], "SELECT")));

        Assert.Equal("invalid_resource", error.Code);
        Assert.DoesNotContain('\n', error.Message);
        Assert.DoesNotContain('\0', error.Message);
    }

    [Fact]
    public void Plan_SchemaWildcardAsCataloguesWriteIt_AcceptedLikeTheSchema()
    {
        var star = _provider.Plan(Request("lease_abc", ["app.public.*"], "SELECT"));
        var schema = _provider.Plan(Request("lease_abc", ["app.public"], "SELECT"));

        Assert.Equal(schema.Require("databases"), star.Require("databases"));
    }

    [Fact]
    public void Plan_NameOfExactly63BytesOfMultibyteCharacters_Accepted()
    {
        var table = new string('€', 21); // 21 x 3 bytes = 63 bytes

        var data = _provider.Plan(Request("lease_abc", [$"app.public.{table}"], "SELECT"));

        Assert.Equal(["app"], JsonSerializer.Deserialize<string[]>(data.Require("databases"))!);
    }

    [Fact]
    public void Plan_NoResource_ThrowsInvalidResource()
    {
        var error = Assert.Throws<CredentialRequestException>(() => _provider.Plan(Request("lease_abc", [], "SELECT")));

        Assert.Equal("invalid_resource", error.Code);
    }

    [Fact]
    public void Plan_LeaseEndsBeforeItStarts_ThrowsInvalidLeaseWindow()
    {
        var request = Request("lease_abc", ["app"], "SELECT") with { NotAfter = DateTimeOffset.UtcNow.AddMinutes(-1) };

        var error = Assert.Throws<CredentialRequestException>(() => _provider.Plan(request));

        Assert.Equal("invalid_lease_window", error.Code);
    }

    [Fact]
    public void Plan_MisconfiguredTarget_ThrowsInvalidOperationNotCallerError()
    {
        var target = _target with { Settings = new Dictionary<string, string> { ["port"] = "99999" } };

        var error = Assert.Throws<InvalidOperationException>(() => _provider.Plan(Request("lease_abc", ["app"], "SELECT") with { Target = target }));

        Assert.Contains("host", error.Message, StringComparison.Ordinal);
        Assert.Contains("port", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Prepare_ServerUnreachable_DerivesTheSecretWithoutConnectingAndPrintsNothingOfIt()
    {
        const string password = "prepared-password-never-printed";
        var provider = new PostgresLoginRoleProvider(Options.Create(new PostgresConnectorOptions()), _secrets, TimeProvider.System, NullLogger<PostgresLoginRoleProvider>.Instance)
        {
            NewSecret = () => LoginSecret.FromPassword(password),
        };

        // db.internal does not resolve: any connection attempt or DNS lookup would throw.
        var prepared = ((IMintPreparer)provider).Prepare(Request("lease_abc", ["app.public.orders"], "SELECT").Target);

        Assert.DoesNotContain(password, prepared.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("SCRAM", prepared.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("postgres")]
    [InlineData("aab_admin_role\"; DROP ROLE x; --")]
    [InlineData("AAB_LEASE_X")]
    public async Task Revoke_RevocationDataNamingForeignRole_RefusesBeforeConnecting(string role)
    {
        var data = RevocationData.Of(("role", role), ("databases", "[\"app\"]"), ("host", "127.0.0.1"), ("port", "1"), ("admin_database", "postgres"));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            _provider.RevokeAsync(new RevocationRequest("lease_abc", _target, data, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow), CancellationToken.None));

        Assert.Contains("not a role this connector mints", error.Message, StringComparison.Ordinal);
    }

    private MintRequest Request(string leaseId, IReadOnlyList<string> resources, params string[] actions)
    {
        var now = DateTimeOffset.UtcNow;
        return new MintRequest(leaseId, "task_1", "agent_1", _target, resources, actions, now, now.AddMinutes(10));
    }
}
