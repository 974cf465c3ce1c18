using AgentAccessBroker.Approvals;
using AgentAccessBroker.Policy;
using static AgentAccessBroker.Core.Tests.Policy.PolicyTestFiles;

namespace AgentAccessBroker.Core.Tests.Policy;

/// <summary>Generic approver identities and group channels, and the compatibility reader for the older keys.</summary>
public sealed class ApproverChannelTests
{
    private const string Group = """
          - name: platform
            members:
              - { id: bob, slack_user: U0BOB }
              - { id: carol }
        """;

    private static string WithGroup(string group) => With(Minimal, Group, group);

    [Fact]
    public void Load_IdentitiesAndChannels_BuildsGenericModelWithoutNotices()
    {
        var yaml = WithGroup("""
              - name: platform
                channels: { chat: C0PLATFORM, teams: }
                members:
                  - { id: bob, identities: { chat: U0BOB, teams: 6b1d3e9a-0000-4000-8000-00000000b0b0, email: Bob@Example.com } }
                  - { id: carol }
            """);

        var result = Load(yaml);

        Assert.Empty(result.Problems);
        Assert.Empty(result.Notices);
        var group = result.Policy!.FindApproverGroup("platform")!;
        Assert.Equal(new Dictionary<string, string?> { ["chat"] = "C0PLATFORM", ["teams"] = null }, group.Channels);
        Assert.Equal("bob", group.FindByIdentity("chat", "U0BOB")?.Id);
        Assert.Equal("bob", group.FindByIdentity("teams", "6B1D3E9A-0000-4000-8000-00000000B0B0")?.Id);
        Assert.Equal("bob", group.FindByIdentity(Approver.EmailIdentity, "bob@example.com")?.Id);
        Assert.Null(group.FindByIdentity("teams", "U0BOB"));
        Assert.Null(group.FindByIdentity("chat", "U0CAROL"));
    }

    [Fact]
    public void Load_ChannelsAsList_AsksEachAtItsDefault()
    {
        var yaml = WithGroup("""
              - name: platform
                channels: [chat, teams]
                members:
                  - { id: bob }
            """);

        var group = Load(yaml).Policy!.FindApproverGroup("platform")!;

        Assert.Equal(new Dictionary<string, string?> { ["chat"] = null, ["teams"] = null }, group.Channels);
    }

    [Fact]
    public void Load_NoChannelsKey_LeavesChannelsNullSoEveryChannelAsks()
    {
        var yaml = WithGroup("""
              - name: platform
                members:
                  - { id: bob }
            """);

        Assert.Null(Load(yaml).Policy!.FindApproverGroup("platform")!.Channels);
    }

    [Fact]
    public void Load_LegacyKeys_KeepLoadingWithADeprecationNoticeEach()
    {
        var yaml = WithGroup("""
              - name: platform
                slack_channel: C0LEGACY
                members:
                  - { id: bob, slack_user: U0BOB, email: bob@example.com }
            """);

        var result = Load(yaml);

        Assert.Empty(result.Problems);
        var group = result.Policy!.FindApproverGroup("platform")!;
        Assert.Equal(new Dictionary<string, string?> { ["slack"] = "C0LEGACY" }, group.Channels);
        Assert.Equal("bob", group.FindByIdentity("slack", "U0BOB")?.Id);
        Assert.Equal("bob", group.FindByIdentity(Approver.EmailIdentity, "bob@example.com")?.Id);
        Assert.Equal(3, result.Notices.Count);
        Assert.All(result.Notices, n => Assert.Equal(PolicyProblemCodes.DeprecatedKey, n.Code));
        var member = result.Notices.Single(n => n.Message.Contains("slack_user", StringComparison.Ordinal));
        Assert.Equal(LineOf(yaml, "slack_user"), member.Line);
        Assert.Contains("identities: { slack: U0BOB }", member.Message, StringComparison.Ordinal);
        Assert.StartsWith("test.yaml:", member.ToString(), StringComparison.Ordinal);
        Assert.Contains(": warning deprecated_key: ", member.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Load_LegacyAndNewSpellingOfOneIdentity_ReportsDuplicateKey()
    {
        var yaml = WithGroup("""
              - name: platform
                members:
                  - { id: bob, slack_user: U0BOB, identities: { slack: U0BOB } }
            """);

        var problem = Single(Load(yaml));

        Assert.Equal(PolicyProblemCodes.DuplicateKey, problem.Code);
        Assert.Contains("identities.slack", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_TwoApproversShareAnIdentityOnAChannel_ReportsDuplicateIdentity()
    {
        var yaml = WithGroup("""
              - name: platform
                members:
                  - { id: bob, identities: { chat: U0SHARED } }
                  - { id: carol, identities: { chat: u0shared } }
            """);

        var problem = Single(Load(yaml));

        Assert.Equal((LineOf(yaml, "u0shared"), PolicyProblemCodes.DuplicateIdentity), (problem.Line, problem.Code));
        Assert.Contains("already belongs to 'bob'", problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("channels: { Chat: C1 }")]
    [InlineData("channels: [\"1chat\"]")]
    public void Load_ChannelNameNotLowerCaseWord_ReportsInvalidChannelName(string channels)
    {
        var yaml = WithGroup($$"""
              - name: platform
                {{channels}}
                members:
                  - { id: bob }
            """);

        Assert.Equal(PolicyProblemCodes.InvalidChannelName, Single(Load(yaml)).Code);
    }

    [Fact]
    public void Load_IdentityWithoutValue_ReportsEmptyValue()
    {
        var yaml = WithGroup("""
              - name: platform
                members:
                  - { id: bob, identities: { chat: } }
            """);

        Assert.Equal(PolicyProblemCodes.EmptyValue, Single(Load(yaml)).Code);
    }

    [Theory]
    [InlineData(null, "chat", true, null)]
    [InlineData("teams", "chat", false, null)]
    [InlineData("chat", "chat", true, "C0PLATFORM")]
    public void ApprovalNotice_GroupChannels_DecideWhereAndWhetherAChannelAsks(string? listed, string channel, bool asks, string? address)
    {
        var channels = listed is null ? null : new Dictionary<string, string?> { [listed] = listed == "chat" ? "C0PLATFORM" : null };
        var notice = new ApprovalNotice(
            "req_1", "agent", "alice", "task_1", "t", "tom", "app-db", [], [], TimeSpan.FromMinutes(5), "p", 50, [], "platform", channels, 1, DateTimeOffset.UnixEpoch);

        Assert.Equal((asks, address), (notice.AsksOn(channel), notice.AddressOn(channel)));
    }
}
