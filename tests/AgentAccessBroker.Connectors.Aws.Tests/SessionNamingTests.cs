using System.Text.RegularExpressions;

namespace AgentAccessBroker.Connectors.Aws.Tests;

public sealed class SessionNamingTests
{
    private static readonly Regex AwsSessionName = new(@"^[A-Za-z0-9_+=,.@-]{2,64}$");

    [Fact]
    public void RoleSessionName_BrokerLeaseId_IsPrefixedIdAsIs()
    {
        var name = SessionNaming.RoleSessionName("lease_abcdefghijklmnop");

        Assert.Equal("aab-lease_abcdefghijklmnop", name);
    }

    [Theory]
    [InlineData("lease with spaces and ünïcödé")]
    [InlineData("lease/with/slashes:and*stars?")]
    [InlineData("x")]
    public void RoleSessionName_IdOutsideAwsCharacterSet_IsValidAndDeterministic(string leaseId)
    {
        var name = SessionNaming.RoleSessionName(leaseId);

        Assert.Matches(AwsSessionName, name);
        Assert.Equal(name, SessionNaming.RoleSessionName(leaseId));
    }

    [Fact]
    public void RoleSessionName_LongIdsSharingAPrefix_StayWithin64AndDiffer()
    {
        var prefix = new string('a', 100);

        var first = SessionNaming.RoleSessionName(prefix + "1");
        var second = SessionNaming.RoleSessionName(prefix + "2");

        Assert.Matches(AwsSessionName, first);
        Assert.Matches(AwsSessionName, second);
        Assert.NotEqual(first, second);
    }

    [Fact]
    public void RoleSessionName_IdsThatSanitiseAlike_StillDiffer()
    {
        Assert.NotEqual(SessionNaming.RoleSessionName("a b"), SessionNaming.RoleSessionName("a/b"));
    }

    [Theory]
    [InlineData("agent-7", "agent-7")]
    [InlineData("claude@laptop", "claude@laptop")]
    public void SourceIdentity_ValidAgentId_IsKept(string agentId, string expected)
    {
        Assert.Equal(expected, SessionNaming.SourceIdentity(agentId));
    }

    [Theory]
    [InlineData("aws:impersonation")]
    [InlineData("cursor agent on büro-pc")]
    [InlineData("a")]
    public void SourceIdentity_OddAgentId_IsSanitisedToAwsRules(string agentId)
    {
        var identity = SessionNaming.SourceIdentity(agentId);

        Assert.Matches(AwsSessionName, identity);
        Assert.False(identity.StartsWith("aws:", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void SourceIdentity_VeryLongAgentId_IsAtMost64()
    {
        Assert.True(SessionNaming.SourceIdentity(new string('z', 300)).Length <= 64);
    }

    [Fact]
    public void TagValue_DisallowedCharacters_AreReplacedAndLengthCapped()
    {
        Assert.Equal("agent_7_ok:/=+-@ x", SessionNaming.TagValue("agent#7*ok:/=+-@ x"));
        Assert.Equal(256, SessionNaming.TagValue(new string('v', 400)).Length);
    }
}
