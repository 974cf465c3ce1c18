using AgentAccessBroker.Connectors.PostgreSql.Tests.Support;
using AgentAccessBroker.Testing;

namespace AgentAccessBroker.Connectors.PostgreSql.Tests;

[Collection(PostgresCollection.Name)]
public sealed class VerifyTests(PostgresFixture postgres)
{
    private readonly PostgresTestbed _testbed = new(postgres);

    [Fact]
    public async Task Verify_LoginBlockedButSessionStillOpen_NotRevoked()
    {
        var (provider, request, result) = await MintAsync();
        var role = PostgresTestbed.Role(result);
        await using var session = await LoginProbe.OpenAsync(result.Credential);
        await _testbed.ExecuteAsync("postgres", $"ALTER ROLE {role} NOLOGIN VALID UNTIL 'now'");

        var verification = await provider.VerifyAsync(PostgresTestbed.Revocation(request, result.RevocationData), CancellationToken.None);

        Assert.False(verification.Revoked);
        Assert.Contains("cannot log in", verification.Evidence, StringComparison.Ordinal);
        Assert.Contains("1 session(s)", verification.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_NologinButPasswordNotExpired_NotRevoked()
    {
        var (provider, request, result) = await MintAsync();
        await _testbed.ExecuteAsync("postgres", $"ALTER ROLE {PostgresTestbed.Role(result)} NOLOGIN");

        var verification = await provider.VerifyAsync(PostgresTestbed.Revocation(request, result.RevocationData), CancellationToken.None);

        Assert.False(verification.Revoked);
        Assert.Contains("has not expired", verification.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_AfterRevoke_EvidenceNamesRoleServerAndSessionCheck()
    {
        var (provider, request, result) = await MintAsync();
        var revocation = PostgresTestbed.Revocation(request, result.RevocationData);
        await provider.RevokeAsync(revocation, CancellationToken.None);

        var verification = await provider.VerifyAsync(revocation, CancellationToken.None);

        Assert.True(verification.Revoked);
        Assert.Contains($"no role named {PostgresTestbed.Role(result)}", verification.Evidence, StringComparison.Ordinal);
        Assert.Contains($"127.0.0.1:{_testbed.Port}", verification.Evidence, StringComparison.Ordinal);
        Assert.Contains("by oid", verification.Evidence, StringComparison.Ordinal);
    }

    private async Task<(PostgresLoginRoleProvider Provider, Credentials.MintRequest Request, Credentials.MintResult Result)> MintAsync()
    {
        var database = await _testbed.CreateDatabaseAsync("CREATE TABLE items (id int);");
        var provider = _testbed.Provider();
        var (request, result) = await PostgresTestbed.MintAsync(provider, _testbed.Request(_testbed.Target(), [$"{database}.public.items"], "SELECT"));
        return (provider, request, result);
    }
}
