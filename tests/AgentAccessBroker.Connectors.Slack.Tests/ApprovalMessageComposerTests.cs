using System.Text.Json.Nodes;
using AgentAccessBroker.Approvals;
using AgentAccessBroker.Connectors.Slack.Messages;

namespace AgentAccessBroker.Connectors.Slack.Tests;

public sealed class ApprovalMessageComposerTests
{
    private static readonly TimeSpan Shorter = TimeSpan.FromMinutes(15);
    private static readonly DateTimeOffset At = new(2026, 11, 21, 9, 5, 0, TimeSpan.Zero);

    [Fact]
    public void Announcement_TypicalNotice_ShowsWhoWhatWhyScoreAndThreeButtons()
    {
        var notice = BrokerHost.Notice("req_one");

        var message = ApprovalMessageComposer.Announcement(notice, Shorter);

        var text = message.Blocks.ToJsonString();
        foreach (var expected in new[]
        {
            "agent-claude-1", "dana", "task_42", "tom", "aws-prod", "arn:aws:s3:::reports/*", "s3:PutLifecycleConfiguration",
            "For *1 h*", "Update lifecycle rules on the reports bucket", "Rotate the reporting bucket lifecycle rules",
            "64/100", "Production target", "Write action on a sensitive bucket", "platform-approvers",
        })
        {
            Assert.Contains(expected, text, StringComparison.Ordinal);
        }

        var buttons = Buttons(message.Blocks);
        Assert.Equal(["approve", "approve_short", "deny"], buttons.Select(b => (string)b["action_id"]!));
        Assert.All(buttons, b => Assert.Equal("req_one", (string)b["value"]!));
        Assert.Equal("Approve for 15 min", (string)buttons[1]["text"]!["text"]!);
        var confirm = buttons[2]["confirm"]!;
        Assert.Equal("Deny", (string)confirm["confirm"]!["text"]!);
        Assert.Equal("Cancel", (string)confirm["deny"]!["text"]!);
        Assert.Equal("danger", (string)buttons[2]["style"]!);
        Assert.Contains("agent-claude-1", message.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Announcement_RequestNotLongerThanShorterDuration_OffersNoShorterButton()
    {
        var notice = BrokerHost.Notice("req_short") with { Duration = TimeSpan.FromMinutes(15) };

        var message = ApprovalMessageComposer.Announcement(notice, Shorter);

        Assert.Equal(["approve", "deny"], Buttons(message.Blocks).Select(b => (string)b["action_id"]!));
    }

    [Fact]
    public void Announcement_HostileAgentText_CannotMentionLinkOrFormat()
    {
        const string hostile = "<!channel> @here @Everyone <@U0BOSS> <https://evil.example|click me> *APPROVED BY SECURITY* "
            + "`x` ```y``` & done\n*Score:* 0";
        var notice = BrokerHost.Notice("req_evil") with
        {
            AgentId = "<@U0BOSS>",
            Purpose = hostile,
            TaskDescription = hostile,
            Resources = [hostile],
            Target = "<!here>",
            TopReasons = [hostile],
        };

        var message = ApprovalMessageComposer.Announcement(notice, Shorter);

        var all = message.Text + string.Concat(MrkdwnTexts(message.Blocks));
        Assert.DoesNotContain("<!channel>", all, StringComparison.Ordinal);
        Assert.DoesNotContain("<!here>", all, StringComparison.Ordinal);
        Assert.DoesNotContain("<@U0BOSS>", all, StringComparison.Ordinal);
        Assert.DoesNotContain("<https://", all, StringComparison.Ordinal);
        Assert.DoesNotContain("@here", all, StringComparison.Ordinal);
        Assert.DoesNotContain("@Everyone", all, StringComparison.Ordinal);
        Assert.Contains("&lt;!channel&gt;", all, StringComparison.Ordinal);
        Assert.Contains("@\u2060here", all, StringComparison.Ordinal);
        Assert.Contains("&amp; done", all, StringComparison.Ordinal);
        Assert.All(MrkdwnObjects(message.Blocks), t => Assert.True((bool)t["verbatim"]!));

        // The agent's text stays inside code formatting: its own backticks cannot close the block it is shown in.
        var why = MrkdwnTexts(message.Blocks).Single(t => t.StartsWith("*Why*", StringComparison.Ordinal));
        var purposeBlock = why[(why.IndexOf("```", StringComparison.Ordinal) + 3)..];
        purposeBlock = purposeBlock[..purposeBlock.IndexOf("```", StringComparison.Ordinal)];
        Assert.Contains("*APPROVED BY SECURITY*", purposeBlock, StringComparison.Ordinal);
        Assert.Contains("*Score:* 0", purposeBlock, StringComparison.Ordinal);
        Assert.DoesNotContain("`", purposeBlock, StringComparison.Ordinal);
    }

    [Fact]
    public void Announcement_HugeNotice_TruncatesWithEllipsisWithinLimits()
    {
        var notice = BrokerHost.Notice("req_big") with
        {
            Purpose = new string('&', 50_000),
            TaskDescription = string.Concat(Enumerable.Repeat("😀", 10_000)),
            Resources = Enumerable.Range(0, 500).Select(i => "arn:aws:s3:::bucket-" + i + new string('x', 400)).ToList(),
            Actions = Enumerable.Range(0, 40).Select(i => "s3:Action" + i).ToList(),
            TopReasons = Enumerable.Range(0, 40).Select(i => "reason " + i + new string('r', 1000)).ToList(),
            AgentId = new string('a', 5000),
        };

        var message = ApprovalMessageComposer.Announcement(notice, Shorter);

        Assert.All(MrkdwnTexts(message.Blocks), t => Assert.InRange(t.Length, 1, 3000));
        var all = string.Concat(MrkdwnTexts(message.Blocks));
        Assert.Contains("…", all, StringComparison.Ordinal);
        Assert.Contains("and 490 more", all, StringComparison.Ordinal);
        Assert.DoesNotContain("&am…", all, StringComparison.Ordinal);
        Assert.DoesNotContain('\uFFFD', all);
        Assert.Contains("😀", all, StringComparison.Ordinal);
        Assert.True(HasOnlyWholeSurrogatePairs(all));
    }

    [Fact]
    public void Escape_CutInsideEntityOrSurrogatePair_KeepsWholeUnits()
    {
        Assert.Equal("ab…", SlackText.Escape("ab&cd", 6));
        Assert.Equal("ab&amp;…", SlackText.Escape("ab&cd", 8));
        Assert.Equal("ab&amp;cd", SlackText.Escape("ab&cd", 9));
        Assert.Equal("a…", SlackText.Escape("a😀b", 3));
        Assert.Equal("a😀b", SlackText.Escape("a😀b", 4));
        Assert.Equal("&lt;&gt;&amp;", SlackText.Escape("<>&", 100));
    }

    [Fact]
    public void Progress_PendingWithQuorumTwo_ShowsVoteSoFarAndKeepsButtons()
    {
        var notice = BrokerHost.Notice("req_q", quorum: 2);
        var status = new ApprovalStatus([Vote("req_q", "alice", "U0ALICE", approve: true)], null, null);

        var message = ApprovalMessageComposer.Progress(notice, status, Shorter);

        var statusText = StatusText(message.Blocks);
        Assert.Contains("1 of 2 approvals", statusText, StringComparison.Ordinal);
        Assert.Contains("`alice` (<@U0ALICE>)", statusText, StringComparison.Ordinal);
        Assert.Equal(3, Buttons(message.Blocks).Count);
    }

    [Fact]
    public void Progress_Approved_ShowsWhoWhenAndRemovesButtons()
    {
        var notice = BrokerHost.Notice("req_ok");
        var status = new ApprovalStatus([Vote("req_ok", "alice", "U0ALICE", approve: true, TimeSpan.FromMinutes(15))], ApprovalOutcome.Approved, At);

        var message = ApprovalMessageComposer.Progress(notice, status, Shorter);

        var statusText = StatusText(message.Blocks);
        Assert.StartsWith(":white_check_mark: *Approved* by `alice` (<@U0ALICE>) <!date^" + At.ToUnixTimeSeconds(), statusText, StringComparison.Ordinal);
        Assert.Contains("for *15 min* only", statusText, StringComparison.Ordinal);
        Assert.Empty(Buttons(message.Blocks));
        Assert.Contains("approved", message.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Progress_DeniedAfterApproval_ShowsDenierAndEarlierApproval()
    {
        var notice = BrokerHost.Notice("req_no", quorum: 2);
        var status = new ApprovalStatus(
            [Vote("req_no", "alice", "U0ALICE", approve: true), Vote("req_no", "bob", "U0BOB", approve: false)], ApprovalOutcome.Denied, At);

        var statusText = StatusText(ApprovalMessageComposer.Progress(notice, status, Shorter).Blocks);

        Assert.StartsWith(":no_entry: *Denied* by `bob` (<@U0BOB>)", statusText, StringComparison.Ordinal);
        Assert.Contains("Approvals before that:\n• approved by `alice` (<@U0ALICE>)", statusText, StringComparison.Ordinal);
    }

    [Fact]
    public void Progress_Expired_SaysExpiredDeniedNoDecisionInTimeAndRemovesButtons()
    {
        var notice = BrokerHost.Notice("req_late");
        var status = new ApprovalStatus([], ApprovalOutcome.Expired, At);

        var message = ApprovalMessageComposer.Progress(notice, status, Shorter);

        Assert.Contains("Expired — denied, no decision in time", StatusText(message.Blocks), StringComparison.Ordinal);
        Assert.Contains("expired — denied, no decision in time", message.Text, StringComparison.Ordinal);
        Assert.Empty(Buttons(message.Blocks));
    }

    [Fact]
    public void Progress_FromClickedMessageBlocks_KeepsInformationAndQuorum()
    {
        var announced = ApprovalMessageComposer.Announcement(BrokerHost.Notice("req_rt", quorum: 3), Shorter);
        var status = new ApprovalStatus([Vote("req_rt", "alice", "U0ALICE", approve: true)], null, null);

        var message = ApprovalMessageComposer.Progress("req_rt", announced.Blocks, status);

        var infoBefore = announced.Blocks.Where(b => ((string)b!["block_id"]!).StartsWith("aab_i_", StringComparison.Ordinal)).Select(b => b!.ToJsonString());
        var infoAfter = message.Blocks.Where(b => ((string)b!["block_id"]!).StartsWith("aab_i_", StringComparison.Ordinal)).Select(b => b!.ToJsonString());
        Assert.Equal(infoBefore, infoAfter);
        Assert.Contains("1 of 3 approvals", StatusText(message.Blocks), StringComparison.Ordinal);
        Assert.Equal(3, Buttons(message.Blocks).Count);
    }

    [Fact]
    public void Announcement_RequestIdTooLongForButtonValue_Throws()
    {
        var notice = BrokerHost.Notice(new string('r', 2001));

        Assert.Throws<ArgumentException>(() => ApprovalMessageComposer.Announcement(notice, Shorter));
    }

    internal static List<JsonObject> Buttons(JsonArray blocks) =>
        blocks.OfType<JsonObject>().Where(b => (string?)b["type"] == "actions")
            .SelectMany(b => b["elements"]!.AsArray().OfType<JsonObject>()).ToList();

    internal static string StatusText(JsonArray blocks) =>
        (string)blocks.OfType<JsonObject>().Single(b => (string?)b["block_id"] == ApprovalMessageComposer.StatusBlockId)["text"]!["text"]!;

    private static IEnumerable<JsonObject> MrkdwnObjects(JsonNode? node) => node switch
    {
        JsonObject o when (string?)o["type"] == "mrkdwn" => [o],
        JsonObject o => o.SelectMany(p => MrkdwnObjects(p.Value)),
        JsonArray a => a.SelectMany(MrkdwnObjects),
        _ => [],
    };

    private static IEnumerable<string> MrkdwnTexts(JsonArray blocks) => MrkdwnObjects(blocks).Select(o => (string)o["text"]!);

    private static bool HasOnlyWholeSurrogatePairs(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]))
            {
                if (i + 1 >= text.Length || !char.IsLowSurrogate(text[i + 1]))
                {
                    return false;
                }

                i++;
            }
            else if (char.IsLowSurrogate(text[i]))
            {
                return false;
            }
        }

        return true;
    }

    private static ApprovalVote Vote(string requestId, string approver, string slackUser, bool approve, TimeSpan? duration = null) =>
        new(requestId, approver, approve, "slack", slackUser, duration, null, At);
}
