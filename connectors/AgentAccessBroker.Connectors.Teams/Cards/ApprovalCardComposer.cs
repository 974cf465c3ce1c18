using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using AgentAccessBroker.Approvals;

namespace AgentAccessBroker.Connectors.Teams.Cards;

/// <summary>
/// Builds the Adaptive Cards of both modes and the message envelopes that carry them. Pure: no I/O, no clock.
/// </summary>
/// <remarks>
/// Text the broker did not write (agent ids, purpose, task description, resources, reasons) goes through
/// <see cref="CardText.Untrusted"/> and into <c>TextRun</c>s of a <c>RichTextBlock</c>, which Teams renders without
/// Markdown, so an agent cannot plant links or formatting. Labels the broker writes are <c>TextBlock</c>s. Every
/// envelope stays under <see cref="MaxPayloadBytes"/> (Teams refuses messages over about 28 KB): if a card is too
/// big, the long fields are cut harder until it fits.
/// </remarks>
internal static class ApprovalCardComposer
{
    public const string ApproveVerb = "approve";
    public const string ApproveShorterVerb = "approve_short";
    public const string DenyVerb = "deny";
    public const string AdaptiveCardContentType = "application/vnd.microsoft.card.adaptive";

    /// <summary>Teams' limit is about 28 KB for the whole message; a margin is kept for what the service adds.</summary>
    public const int MaxPayloadBytes = 27 * 1024;

    private const string Schema = "http://adaptivecards.io/schemas/adaptive-card.json";

    /// <summary>The bot's first card: the facts and the Approve / Approve for 15 min / Deny buttons (<c>Action.Execute</c>).</summary>
    public static JsonObject BotCard(ApprovalNotice notice, ApprovalStatus? status, TimeSpan shorterDuration) =>
        Fit(scale => Card("1.5", Facts(notice, scale), StatusItems(notice.Quorum, status), status?.Outcome is null ? BotActions(notice, shorterDuration) : null));

    /// <summary>A card for a request the broker knows only by id (an invoke after a restart): the status, and the buttons while pending.</summary>
    public static JsonObject BotCardForRequest(string requestId, int quorum, ApprovalStatus status) =>
        Fit(scale => Card(
            "1.5",
            [Label("Access request"), Untrusted(CardText.Untrusted(requestId, Cap(200, scale)))],
            StatusItems(quorum, status),
            null));

    /// <summary>The Workflows card: the same facts and a link to the console's approval page (webhook cards cannot call back).</summary>
    public static JsonObject WorkflowsCard(ApprovalNotice notice, Uri approvalPage) =>
        Fit(scale => Card("1.4", Facts(notice, scale), StatusItems(notice.Quorum, null), [OpenUrl("Review in AgentAccessBroker", approvalPage)]));

    /// <summary>The Workflows follow-up: the outcome or the expiry of the request (a webhook cannot update its first card).</summary>
    public static JsonObject WorkflowsOutcomeCard(ApprovalNotice notice, ApprovalStatus status, Uri approvalPage) =>
        Fit(scale =>
        {
            var body = new JsonArray
            {
                Heading("Access request " + OutcomeWord(status.Outcome)),
                Label("Request"),
                Untrusted(CardText.Untrusted(notice.RequestId, Cap(200, scale)) + " — agent " + CardText.Untrusted(notice.AgentId, Cap(200, scale))
                    + " on " + CardText.Untrusted(notice.Target, Cap(300, scale))),
            };
            return Card("1.4", body, StatusItems(notice.Quorum, status), [OpenUrl("Open in AgentAccessBroker", approvalPage)]);
        });

    /// <summary>The envelope a card travels in, for the Bot Connector and for Workflows alike.</summary>
    public static JsonObject Message(JsonObject card, string summary) => new()
    {
        ["type"] = "message",
        ["summary"] = summary,
        ["attachments"] = new JsonArray
        {
            new JsonObject { ["contentType"] = AdaptiveCardContentType, ["contentUrl"] = null, ["content"] = card.DeepClone() },
        },
    };

    /// <summary>Size of what is sent, in UTF-8 bytes.</summary>
    public static int PayloadBytes(JsonObject message) => Encoding.UTF8.GetByteCount(message.ToJsonString());

    private static JsonObject Fit(Func<int, JsonObject> compose)
    {
        JsonObject card = compose(1);
        for (var scale = 2; scale <= 64 && PayloadBytes(Message(card, string.Empty)) > MaxPayloadBytes - 512; scale *= 2)
        {
            card = compose(scale);
        }

        return card;
    }

    private static int Cap(int length, int scale) => Math.Max(16, length / scale);

    private static JsonObject Card(string version, JsonArray facts, JsonArray status, JsonArray? actions)
    {
        var body = new JsonArray();
        foreach (var item in facts)
        {
            body.Add(item!.DeepClone());
        }

        foreach (var item in status)
        {
            body.Add(item!.DeepClone());
        }

        var card = new JsonObject
        {
            ["type"] = "AdaptiveCard",
            ["$schema"] = Schema,
            ["version"] = version,
            ["body"] = body,
        };
        if (actions is not null)
        {
            card["actions"] = actions;
        }

        return card;
    }

    private static JsonArray Facts(ApprovalNotice notice, int scale)
    {
        var resources = notice.Resources.Take(10).Select(r => CardText.Untrusted(r, Cap(200, scale))).ToList();
        if (notice.Resources.Count > 10)
        {
            resources.Add(string.Create(CultureInfo.InvariantCulture, $"… and {notice.Resources.Count - 10} more"));
        }

        var reasons = notice.TopReasons.Take(5).Select(r => "• " + CardText.Untrusted(r.Trim(), Cap(300, scale)));
        var items = new JsonArray
        {
            Heading("Access request needs approval"),
            Label("Who"),
            Untrusted("Agent " + CardText.Untrusted(notice.AgentId, Cap(200, scale)) + ", owned by " + CardText.Untrusted(notice.AgentOwner, Cap(200, scale))
                + "\nTask " + CardText.Untrusted(notice.TaskId, Cap(200, scale)) + ", owned by " + CardText.Untrusted(notice.TaskOwner, Cap(200, scale))),
            Label("What"),
            Untrusted(string.Join(", ", notice.Actions.Take(10).Select(a => CardText.Untrusted(a, Cap(100, scale))))
                + " on " + CardText.Untrusted(notice.Target, Cap(300, scale))
                + "\nResources: " + string.Join(", ", resources)
                + "\nFor " + CardText.Duration(notice.Duration)),
            Label("Why (stated by the agent)"),
            Untrusted(CardText.Untrusted(notice.Purpose, Cap(1400, scale), multiLine: true)),
            Label("Task"),
            Untrusted(CardText.Untrusted(notice.TaskDescription, Cap(1400, scale), multiLine: true)),
            Label(string.Create(CultureInfo.InvariantCulture, $"Analyzer score: {notice.Score}/100 (0 harmless, 100 dangerous)")),
        };
        if (notice.TopReasons.Count > 0)
        {
            items.Add(Untrusted(string.Join("\n", reasons)));
        }

        items.Add(Untrusted("Request " + CardText.Untrusted(notice.RequestId, Cap(200, scale))
            + " · approver group " + CardText.Untrusted(notice.ApproverGroup, Cap(200, scale))
            + " · needs " + Approvals(notice.Quorum)
            + " · expires " + CardText.Date(notice.ExpiresAt), subtle: true));
        return items;
    }

    private static JsonArray StatusItems(int quorum, ApprovalStatus? status)
    {
        var text = new StringBuilder();
        var votes = status?.Votes ?? [];
        switch (status?.Outcome)
        {
            case null:
                var approvals = votes.Where(v => v.Approve).Select(v => v.ApproverId).Distinct(StringComparer.Ordinal).Count();
                text.Append("Waiting for ").Append(Approvals(quorum)).Append(": ")
                    .Append(approvals.ToString(CultureInfo.InvariantCulture)).Append(" so far.");
                break;
            case ApprovalOutcome.Approved:
                text.Append("Approved");
                if (votes.Where(v => v.Approve).Select(v => v.Duration).Where(d => d is not null).Min() is { } shortened)
                {
                    text.Append(" for ").Append(CardText.Duration(shortened)).Append(" only");
                }

                text.Append('.');
                break;
            case ApprovalOutcome.Denied:
                text.Append("Denied.");
                break;
            case ApprovalOutcome.Expired:
                text.Append("Expired: nobody decided in time, so the request is denied.");
                break;
        }

        if (status?.DecidedAt is { } decidedAt && status.Outcome is not null)
        {
            text.Append(" Decided ").Append(CardText.Date(decidedAt)).Append('.');
        }

        foreach (var vote in votes.Take(10))
        {
            text.Append('\n').Append(vote.Approve ? "Approved by " : "Denied by ").Append(CardText.Untrusted(vote.ApproverId, 100));
            if (vote.Duration is { } d)
            {
                text.Append(" (for ").Append(CardText.Duration(d)).Append(')');
            }

            text.Append(" at ").Append(CardText.Date(vote.At));
        }

        return [Label("Status"), Untrusted(text.ToString())];
    }

    private static JsonArray BotActions(ApprovalNotice notice, TimeSpan shorterDuration)
    {
        var actions = new JsonArray { Execute(ApproveVerb, "Approve", notice.RequestId, "positive") };
        if (shorterDuration < notice.Duration)
        {
            actions.Add(Execute(ApproveShorterVerb, "Approve for " + CardText.Duration(shorterDuration), notice.RequestId, null));
        }

        actions.Add(Execute(DenyVerb, "Deny", notice.RequestId, "destructive"));
        return actions;
    }

    private static JsonObject Execute(string verb, string title, string requestId, string? style)
    {
        var action = new JsonObject
        {
            ["type"] = "Action.Execute",
            ["title"] = title,
            ["verb"] = verb,
            // Only names the request; who clicked comes from the verified activity, never from here.
            ["data"] = new JsonObject { ["requestId"] = requestId },
        };
        if (style is not null)
        {
            action["style"] = style;
        }

        return action;
    }

    private static JsonObject OpenUrl(string title, Uri url) => new()
    {
        ["type"] = "Action.OpenUrl",
        ["title"] = title,
        ["url"] = url.AbsoluteUri,
    };

    private static JsonObject Heading(string text) => new()
    {
        ["type"] = "TextBlock",
        ["text"] = text,
        ["size"] = "Medium",
        ["weight"] = "Bolder",
        ["wrap"] = true,
    };

    private static JsonObject Label(string text) => new()
    {
        ["type"] = "TextBlock",
        ["text"] = text,
        ["weight"] = "Bolder",
        ["wrap"] = true,
        ["spacing"] = "Medium",
    };

    /// <summary>Plain text: a TextRun is never read as Markdown.</summary>
    private static JsonObject Untrusted(string text, bool subtle = false)
    {
        var run = new JsonObject { ["type"] = "TextRun", ["text"] = text };
        if (subtle)
        {
            run["isSubtle"] = true;
        }

        return new JsonObject { ["type"] = "RichTextBlock", ["inlines"] = new JsonArray { run } };
    }

    private static string Approvals(int quorum) => quorum == 1 ? "1 approval" : string.Create(CultureInfo.InvariantCulture, $"{quorum} approvals");

    private static string OutcomeWord(ApprovalOutcome? outcome) => outcome switch
    {
        ApprovalOutcome.Approved => "approved",
        ApprovalOutcome.Denied => "denied",
        ApprovalOutcome.Expired => "expired",
        _ => "pending",
    };
}
