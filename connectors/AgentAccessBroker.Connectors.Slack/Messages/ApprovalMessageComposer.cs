using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using AgentAccessBroker.Approvals;
using AgentAccessBroker.Connectors.Slack.Api;

namespace AgentAccessBroker.Connectors.Slack.Messages;

/// <summary>
/// Builds the Block Kit approval message and its updates. Pure: no I/O, no clock. Every text object stays within Block
/// Kit limits (section text 3000, header 150, button text 75, button value 2000, block_id 255).
/// </summary>
/// <remarks>
/// Informational blocks carry block ids starting with <see cref="InfoBlockPrefix"/> so an update can reuse them from the
/// message Slack sends back with a click, even after a broker restart; the actions block id carries the quorum.
/// </remarks>
internal static class ApprovalMessageComposer
{
    public const string InfoBlockPrefix = "aab_i_";
    public const string StatusBlockId = "aab_status";
    public const string ActionsBlockPrefix = "aab_actions_q";
    public const string ApproveAction = "approve";
    public const string ApproveShorterAction = "approve_short";
    public const string DenyAction = "deny";
    public const int MaxButtonValue = 2000;
    public const int MaxSectionText = 3000;

    private const int MaxListed = 10;
    private const int MaxVotesShown = 10;

    /// <summary>The first message: everything approvers need, and the buttons.</summary>
    public static SlackMessage Announcement(ApprovalNotice notice, TimeSpan shorterDuration)
    {
        var fallback = new StringBuilder("Approval needed: agent ")
            .Append(SlackText.Escape(notice.AgentId, 80))
            .Append(" asks for ").Append(SlackText.Escape(string.Join(", ", notice.Actions), 200))
            .Append(" on ").Append(SlackText.Escape(notice.Target, 120))
            .Append(" for ").Append(SlackText.Duration(notice.Duration))
            .Append(" (request ").Append(SlackText.Escape(notice.RequestId, 100)).Append(')')
            .ToString();
        var offerShorter = shorterDuration < notice.Duration;
        return Compose(InfoBlocks(notice), Actions(notice.RequestId, notice.Quorum, offerShorter ? shorterDuration : null), notice.Quorum, status: null, fallback);
    }

    /// <summary>An update from the full notice (used by <see cref="IApprovalChannel.UpdateAsync"/>).</summary>
    public static SlackMessage Progress(ApprovalNotice notice, ApprovalStatus status, TimeSpan shorterDuration)
    {
        var offerShorter = shorterDuration < notice.Duration;
        return Compose(
            InfoBlocks(notice),
            Actions(notice.RequestId, notice.Quorum, offerShorter ? shorterDuration : null),
            notice.Quorum,
            status,
            FallbackFor(notice.RequestId, status));
    }

    /// <summary>An update rebuilt from the blocks of the clicked message, as Slack returned them with the click.</summary>
    public static SlackMessage Progress(string requestId, JsonArray originalBlocks, ApprovalStatus status)
    {
        var info = new JsonArray();
        JsonObject? actions = null;
        var quorum = 1;
        foreach (var block in originalBlocks)
        {
            var blockId = block?["block_id"]?.GetValue<string>() ?? string.Empty;
            if (blockId.StartsWith(InfoBlockPrefix, StringComparison.Ordinal))
            {
                info.Add(block!.DeepClone());
            }
            else if (blockId.StartsWith(ActionsBlockPrefix, StringComparison.Ordinal))
            {
                actions = (JsonObject)block!.DeepClone();
                quorum = QuorumOf(blockId) ?? 1;
            }
        }

        if (info.Count == 0)
        {
            info.Add(Section(InfoBlockPrefix + "request", "*Access request* " + SlackText.Code(requestId, 200)));
        }

        return Compose(info, actions, quorum, status, FallbackFor(requestId, status));
    }

    /// <summary>The quorum encoded in an actions block id, or null when the id is not ours.</summary>
    public static int? QuorumOf(string? blockId) =>
        blockId is not null
        && blockId.StartsWith(ActionsBlockPrefix, StringComparison.Ordinal)
        && int.TryParse(blockId.AsSpan(ActionsBlockPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var quorum)
        && quorum is > 0 and < 100
            ? quorum
            : null;

    private static SlackMessage Compose(JsonArray info, JsonObject? actions, int quorum, ApprovalStatus? status, string fallback)
    {
        var blocks = new JsonArray();
        foreach (var block in info)
        {
            blocks.Add(block!.DeepClone());
        }

        blocks.Add(Section(StatusBlockId, StatusText(quorum, status)));
        if (status?.Outcome is null && actions is not null)
        {
            blocks.Add(actions.DeepClone());
        }

        return new SlackMessage(fallback, blocks);
    }

    private static JsonArray InfoBlocks(ApprovalNotice notice)
    {
        var who = new StringBuilder("*Who*\n")
            .Append("Agent ").Append(SlackText.Code(notice.AgentId, 200))
            .Append(", owned by ").Append(SlackText.Code(notice.AgentOwner, 200))
            .Append("\nTask ").Append(SlackText.Code(notice.TaskId, 200))
            .Append(", owned by ").Append(SlackText.Code(notice.TaskOwner, 200));

        var what = new StringBuilder("*What*\n")
            .Append(List(notice.Actions, 100)).Append(" on ").Append(SlackText.Code(notice.Target, 300))
            .Append("\nResources: ").Append(List(notice.Resources, 200))
            .Append("\nFor *").Append(SlackText.Duration(notice.Duration)).Append('*');

        var why = new StringBuilder("*Why* (stated by the agent)\n")
            .Append(SlackText.CodeBlock(notice.Purpose, 1400))
            .Append("\n*Task*\n")
            .Append(SlackText.CodeBlock(notice.TaskDescription, 1400));

        var score = new StringBuilder("*Analyzer score:* ")
            .Append(notice.Score.ToString(CultureInfo.InvariantCulture)).Append("/100 (0 harmless, 100 dangerous)");
        if (notice.TopReasons.Count > 0)
        {
            var reasons = string.Join("\n", notice.TopReasons.Take(5).Select(r => "• " + r.Trim()));
            score.Append('\n').Append(SlackText.CodeBlock(reasons, 2000));
        }

        var meta = new StringBuilder("Request ").Append(SlackText.Code(notice.RequestId, 200))
            .Append(" · approver group ").Append(SlackText.Code(notice.ApproverGroup, 200))
            .Append(" · needs ").Append(Approvals(notice.Quorum))
            .Append(" · expires ").Append(SlackText.Date(notice.ExpiresAt));

        return
        [
            new JsonObject
            {
                ["type"] = "header",
                ["block_id"] = InfoBlockPrefix + "header",
                ["text"] = PlainText(SlackText.Plain("Access request needs approval", 150)),
            },
            Section(InfoBlockPrefix + "who", who.ToString()),
            Section(InfoBlockPrefix + "what", what.ToString()),
            Section(InfoBlockPrefix + "why", why.ToString()),
            Section(InfoBlockPrefix + "score", score.ToString()),
            new JsonObject
            {
                ["type"] = "context",
                ["block_id"] = InfoBlockPrefix + "meta",
                ["elements"] = new JsonArray(Mrkdwn(meta.ToString())),
            },
        ];
    }

    private static JsonObject Actions(string requestId, int quorum, TimeSpan? shorter)
    {
        if (string.IsNullOrEmpty(requestId) || requestId.Length > MaxButtonValue)
        {
            throw new ArgumentException("A request id must be 1 to 2000 characters to fit a button value.", nameof(requestId));
        }

        var elements = new JsonArray(Button(ApproveAction, "Approve", requestId, "primary"));
        if (shorter is { } duration)
        {
            elements.Add(Button(ApproveShorterAction, "Approve for " + SlackText.Duration(duration), requestId, style: null));
        }

        var deny = Button(DenyAction, "Deny", requestId, "danger");
        deny["confirm"] = new JsonObject
        {
            ["title"] = PlainText("Deny this request?"),
            ["text"] = PlainText("The agent gets no access. A deny beats any number of approvals and cannot be undone."),
            ["confirm"] = PlainText("Deny"),
            ["deny"] = PlainText("Cancel"),
            ["style"] = "danger",
        };
        elements.Add(deny);

        return new JsonObject
        {
            ["type"] = "actions",
            ["block_id"] = ActionsBlockPrefix + Math.Clamp(quorum, 1, 99).ToString(CultureInfo.InvariantCulture),
            ["elements"] = elements,
        };
    }

    private static string StatusText(int quorum, ApprovalStatus? status)
    {
        var votes = status?.Votes ?? [];
        var text = new StringBuilder();
        switch (status?.Outcome)
        {
            case null when votes.Count == 0:
                text.Append(":hourglass_flowing_sand: Waiting for ").Append(Approvals(quorum))
                    .Append(". A single deny rejects the request.");
                break;
            case null:
                var approvals = votes.Count(v => v.Approve);
                text.Append(":hourglass_flowing_sand: ")
                    .Append(approvals.ToString(CultureInfo.InvariantCulture)).Append(" of ")
                    .Append(Approvals(quorum)).Append(" so far:");
                AppendVotes(text, votes);
                break;
            case ApprovalOutcome.Approved:
                text.Append(":white_check_mark: *Approved* by ");
                AppendVoters(text, votes.Where(v => v.Approve).ToList());
                AppendWhen(text, status.DecidedAt);
                if (votes.Where(v => v.Approve).Select(v => v.Duration).Where(d => d is not null).Min() is { } shortened)
                {
                    text.Append(" — for *").Append(SlackText.Duration(shortened)).Append("* only");
                }

                break;
            case ApprovalOutcome.Denied:
                text.Append(":no_entry: *Denied* by ");
                AppendVoters(text, votes.Where(v => !v.Approve).ToList());
                AppendWhen(text, status.DecidedAt);
                AppendEarlierApprovals(text, votes);
                break;
            case ApprovalOutcome.Expired:
                text.Append(":hourglass: *Expired — denied, no decision in time*");
                AppendWhen(text, status.DecidedAt);
                AppendEarlierApprovals(text, votes);
                break;
            default:
                text.Append("Outcome: ").Append(SlackText.Escape(status!.Outcome.ToString(), 40));
                break;
        }

        return text.ToString();
    }

    private static void AppendEarlierApprovals(StringBuilder text, IReadOnlyList<ApprovalVote> votes)
    {
        var approvals = votes.Where(v => v.Approve).ToList();
        if (approvals.Count > 0)
        {
            text.Append("\nApprovals before that:");
            AppendVotes(text, approvals);
        }
    }

    private static void AppendVotes(StringBuilder text, IReadOnlyList<ApprovalVote> votes)
    {
        foreach (var vote in votes.Take(MaxVotesShown))
        {
            text.Append("\n• ").Append(vote.Approve ? "approved by " : "denied by ").Append(Voter(vote))
                .Append(' ').Append(SlackText.Date(vote.At));
        }

        if (votes.Count > MaxVotesShown)
        {
            text.Append("\n• and ").Append((votes.Count - MaxVotesShown).ToString(CultureInfo.InvariantCulture)).Append(" more");
        }
    }

    private static void AppendVoters(StringBuilder text, IReadOnlyList<ApprovalVote> votes)
    {
        if (votes.Count == 0)
        {
            text.Append("—");
            return;
        }

        text.Append(string.Join(", ", votes.Take(MaxVotesShown).Select(Voter)));
        if (votes.Count > MaxVotesShown)
        {
            text.Append(" and ").Append((votes.Count - MaxVotesShown).ToString(CultureInfo.InvariantCulture)).Append(" more");
        }
    }

    private static void AppendWhen(StringBuilder text, DateTimeOffset? at)
    {
        if (at is { } when)
        {
            text.Append(' ').Append(SlackText.Date(when));
        }
    }

    private static string Voter(ApprovalVote vote)
    {
        var voter = SlackText.Code(vote.ApproverId, 120);
        var mention = vote.Channel == "slack" ? SlackText.Mention(vote.ChannelIdentity) : null;
        return mention is null ? voter + " via " + SlackText.Escape(vote.Channel, 20) : voter + " (" + mention + ")";
    }

    private static string List(IReadOnlyList<string> items, int maxEach)
    {
        if (items.Count == 0)
        {
            return "—";
        }

        var listed = string.Join(", ", items.Take(MaxListed).Select(i => SlackText.Code(i, maxEach)));
        return items.Count > MaxListed
            ? listed + " and " + (items.Count - MaxListed).ToString(CultureInfo.InvariantCulture) + " more"
            : listed;
    }

    private static string Approvals(int quorum) =>
        quorum == 1 ? "1 approval" : quorum.ToString(CultureInfo.InvariantCulture) + " approvals from different approvers";

    private static string FallbackFor(string requestId, ApprovalStatus status)
    {
        var outcome = status.Outcome switch
        {
            ApprovalOutcome.Approved => "approved",
            ApprovalOutcome.Denied => "denied",
            ApprovalOutcome.Expired => "expired — denied, no decision in time",
            _ => "waiting for approval",
        };
        return "Access request " + SlackText.Escape(requestId, 200) + ": " + outcome;
    }

    private static JsonObject Section(string blockId, string mrkdwn) => new()
    {
        ["type"] = "section",
        ["block_id"] = blockId,
        ["text"] = Mrkdwn(SlackText.Plain(mrkdwn, MaxSectionText)),
    };

    private static JsonObject Mrkdwn(string text) => new() { ["type"] = "mrkdwn", ["text"] = text, ["verbatim"] = true };

    private static JsonObject PlainText(string text) => new() { ["type"] = "plain_text", ["text"] = text, ["emoji"] = true };

    private static JsonObject Button(string actionId, string text, string value, string? style)
    {
        var button = new JsonObject
        {
            ["type"] = "button",
            ["action_id"] = actionId,
            ["text"] = PlainText(SlackText.Plain(text, 75)),
            ["value"] = value,
        };
        if (style is not null)
        {
            button["style"] = style;
        }

        return button;
    }
}
