using System.Text.Json;
using AgentAccessBroker.Connectors.Aws.Revocation;

namespace AgentAccessBroker.Connectors.Aws.Tests;

public sealed class RevokedSessionsPolicyTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 21, 9, 0, 0, TimeSpan.Zero);

    private static RevokedSession Session(string userId, TimeSpan expiresIn, TimeSpan? issuedAgo = null) =>
        new("arn:aws:iam::123456789012:role/r", "r", userId, Now - (issuedAgo ?? TimeSpan.FromMinutes(1)), Now + expiresIn);

    [Fact]
    public void BucketFor_Expiry_IsTheNextWholeHourAfterExpiryPlusSkew()
    {
        Assert.Equal(new DateTimeOffset(2026, 11, 21, 10, 0, 0, TimeSpan.Zero), RevokedSessionsPolicy.BucketFor(Now.AddMinutes(15)));
        Assert.Equal(new DateTimeOffset(2026, 11, 21, 11, 0, 0, TimeSpan.Zero), RevokedSessionsPolicy.BucketFor(Now.AddMinutes(56)));
        Assert.Equal(new DateTimeOffset(2026, 11, 21, 10, 0, 0, TimeSpan.Zero), RevokedSessionsPolicy.BucketFor(Now.AddMinutes(55)));
    }

    [Fact]
    public void ToJson_Sessions_OneDenyAllStatementPerBucketWithSidCarryingTheEnd()
    {
        var policy = RevokedSessionsPolicy.Parse(null);
        policy.Add(Session("AROAEXAMPLE:aab-lease_b", TimeSpan.FromMinutes(15)));
        policy.Add(Session("AROAEXAMPLE:aab-lease_a", TimeSpan.FromMinutes(20)));
        policy.Add(Session("AROAEXAMPLE:aab-lease_c", TimeSpan.FromHours(3)));

        using var json = JsonDocument.Parse(policy.ToJson());

        var statements = json.RootElement.GetProperty("Statement").EnumerateArray().ToList();
        Assert.Equal(["AabRevokedUntil202611211000", "AabRevokedUntil202611211300"], statements.Select(s => s.GetProperty("Sid").GetString()));
        Assert.All(statements, s =>
        {
            Assert.Equal("Deny", s.GetProperty("Effect").GetString());
            Assert.Equal("*", s.GetProperty("Action").GetString());
            Assert.Equal("*", s.GetProperty("Resource").GetString());
        });
        Assert.Equal(
            ["AROAEXAMPLE:aab-lease_a", "AROAEXAMPLE:aab-lease_b"],
            statements[0].GetProperty("Condition").GetProperty("StringLike").GetProperty("aws:userid").EnumerateArray().Select(v => v.GetString()));
    }

    [Fact]
    public void Parse_OwnDocument_RoundTripsExactly()
    {
        var policy = RevokedSessionsPolicy.Parse(null);
        policy.Add(Session("AROAEXAMPLE:aab-lease_a", TimeSpan.FromMinutes(15)));
        policy.CollapseToRoleWide(Now, Now.AddMinutes(30));
        policy.Add(Session("AROAEXAMPLE:aab-lease_b", TimeSpan.FromMinutes(15)));
        var json = policy.ToJson();

        Assert.Equal(json, RevokedSessionsPolicy.Parse(json).ToJson());
    }

    [Fact]
    public void Prune_AfterBucketEnds_DropsOnlyThatBucket()
    {
        var policy = RevokedSessionsPolicy.Parse(null);
        var early = Session("AROAEXAMPLE:early", TimeSpan.FromMinutes(15));
        var late = Session("AROAEXAMPLE:late", TimeSpan.FromHours(3));
        policy.Add(early);
        policy.Add(late);

        var dropped = policy.Prune(Now.AddHours(1));

        Assert.Equal(1, dropped);
        Assert.IsType<DenyCoverage.None>(policy.Covers(early));
        Assert.IsType<DenyCoverage.Listed>(policy.Covers(late));
    }

    [Fact]
    public void Prune_BeforeCredentialExpiry_KeepsEntry()
    {
        var policy = RevokedSessionsPolicy.Parse(null);
        var session = Session("AROAEXAMPLE:s", TimeSpan.FromMinutes(59));
        policy.Add(session);

        policy.Prune(session.Expiry + TimeSpan.FromMinutes(4));

        Assert.IsType<DenyCoverage.Listed>(policy.Covers(session));
    }

    [Fact]
    public void CollapseToRoleWide_CoversSessionsIssuedBeforeButNotAfter()
    {
        var policy = RevokedSessionsPolicy.Parse(null);
        policy.Add(Session("AROAEXAMPLE:a", TimeSpan.FromHours(2)));

        policy.CollapseToRoleWide(Now, Now.AddMinutes(15));

        Assert.Equal(0, policy.ListedCount);
        Assert.IsType<DenyCoverage.RoleWide>(policy.Covers(Session("AROAEXAMPLE:a", TimeSpan.FromHours(2))));
        Assert.IsType<DenyCoverage.RoleWide>(policy.Covers(Session("AROAEXAMPLE:other-live", TimeSpan.FromMinutes(30))));
        Assert.IsType<DenyCoverage.None>(policy.Covers(Session("AROAEXAMPLE:new", TimeSpan.FromMinutes(30), issuedAgo: TimeSpan.FromSeconds(-10))));
        Assert.Equal(new DateTimeOffset(2026, 11, 21, 12, 0, 0, TimeSpan.Zero), policy.RoleWide!.Value.Until);
    }

    [Fact]
    public void Parse_ForeignStatements_AreKeptVerbatim()
    {
        const string foreign = """{"Sid":"AdminBreakGlass","Effect":"Deny","Action":"s3:DeleteBucket","Resource":"*"}""";
        var policy = RevokedSessionsPolicy.Parse("""{"Version":"2012-10-17","Statement":[""" + foreign + "]}");

        policy.Add(Session("AROAEXAMPLE:a", TimeSpan.FromMinutes(15)));

        Assert.Contains(foreign, policy.ToJson(), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_NotJson_ThrowsWithPolicyName()
    {
        var error = Assert.Throws<InvalidDataException>(() => RevokedSessionsPolicy.Parse("{not json"));

        Assert.Contains(RevokedSessionsPolicy.PolicyName, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void IamSize_CountsEverythingButWhitespace()
    {
        Assert.Equal(11, RevokedSessionsPolicy.IamSize("{ \"a\" :\n\t\"bcd\" }"));
    }
}
