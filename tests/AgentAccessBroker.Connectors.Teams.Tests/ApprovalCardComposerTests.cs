using System.Text.Json.Nodes;
using AgentAccessBroker.Approvals;
using AgentAccessBroker.Connectors.Teams.Cards;

namespace AgentAccessBroker.Connectors.Teams.Tests;

/// <summary>Every card the connector produces, parsed by Microsoft's Adaptive Cards library; size limit; hostile text.</summary>
public sealed class ApprovalCardComposerTests
{
    private const string Hostile = "\u001b]8;;https://evil.example\u0007click\u001b]8;;\u0007 [approve](https://evil.example) **bold** \u202Eevil\u202C zero\u200Bwidth <b>html</b>";

    [Fact]
    public async Task EveryCard_AdaptiveCardsLibrary_NoParseOrValidationProblems()
    {
        var cards = AllCards();

        var problems = await AdaptiveCardsLibrary.CheckAsync(cards);

        Assert.Equal(cards.Count, problems.Count);
        Assert.All(problems, p => Assert.True(p.Value.Count == 0, p.Key + ": " + string.Join("; ", p.Value)));
    }

    [Fact]
    public async Task AdaptiveCardsLibrary_BrokenCard_ReportsProblems()
    {
        // Proves the check can fail: an unknown element and an action without a verb's required shape.
        var broken = JsonNode.Parse("""{"type":"AdaptiveCard","version":"1.5","body":[{"type":"Bogus"}],"actions":[{"type":"Action.OpenUrl","title":"x"}]}""")!.AsObject();

        var problems = await AdaptiveCardsLibrary.CheckAsync(new Dictionary<string, JsonObject> { ["broken"] = broken });

        Assert.NotEmpty(problems["broken"]);
    }

    [Fact]
    public void EveryCard_HugeInput_FitsTeamsPayloadLimit()
    {
        foreach (var (name, card) in AllCards())
        {
            var bytes = ApprovalCardComposer.PayloadBytes(ApprovalCardComposer.Message(card, "summary"));
            Assert.True(bytes <= 28 * 1024, $"{name}: {bytes} bytes");
        }
    }

    [Fact]
    public void BotCard_HostileText_NoControlOrBidiCharactersAndNoMarkdownElements()
    {
        var card = ApprovalCardComposer.BotCard(Notices.Sample(purpose: Hostile), null, TimeSpan.FromMinutes(15));

        var json = card.ToJsonString();
        Assert.DoesNotContain("\\u001B", json, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("\\u202E", json, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("\\u200B", json, StringComparison.OrdinalIgnoreCase);
        var purpose = Texts(card).Single(t => t.Text.Contains("nightly", StringComparison.Ordinal) || t.Text.Contains("evil.example", StringComparison.Ordinal));
        Assert.Equal("TextRun", purpose.Type);
    }

    [Fact]
    public void BotCard_RequestNotLongerThanShorterDuration_NoShorterButton()
    {
        var card = ApprovalCardComposer.BotCard(Notices.Sample(duration: TimeSpan.FromMinutes(10)), null, TimeSpan.FromMinutes(15));

        Assert.Equal(["approve", "deny"], card["actions"]!.AsArray().Select(a => a!["verb"]!.GetValue<string>()));
    }

    private static IEnumerable<(string Type, string Text)> Texts(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                if (o["type"]?.GetValue<string>() is { } type && o["text"] is JsonValue text)
                {
                    yield return (type, text.GetValue<string>());
                }

                foreach (var child in o.Select(p => p.Value).SelectMany(Texts))
                {
                    yield return child;
                }

                break;
            case JsonArray a:
                foreach (var child in a.SelectMany(Texts))
                {
                    yield return child;
                }

                break;
        }
    }

    private static Dictionary<string, JsonObject> AllCards()
    {
        var notice = Notices.Sample();
        var huge = notice with
        {
            RequestId = new string('r', 300),
            AgentId = new string('€', 5000),
            Purpose = string.Concat(Enumerable.Repeat("𝔘n\u00e9\u4e2d ", 8000)),
            TaskDescription = string.Concat(Enumerable.Repeat("\"<>&\\", 8000)),
            Resources = [.. Enumerable.Range(0, 500).Select(i => "arn:aws:s3:::bucket-" + i + new string('x', 400))],
            Actions = [.. Enumerable.Range(0, 100).Select(i => "action" + new string('y', 300))],
            TopReasons = [.. Enumerable.Range(0, 50).Select(_ => new string('z', 2000))],
            Quorum = 3,
        };
        var hostile = notice with { Purpose = Hostile, TaskDescription = Hostile, AgentId = Hostile, Target = Hostile };
        var at = new DateTimeOffset(2026, 12, 7, 15, 0, 0, TimeSpan.Zero);
        var votes = Enumerable.Range(0, 30)
            .Select(i => new ApprovalVote(notice.RequestId, "approver-" + i + new string('v', 200), true, "teams", null, TimeSpan.FromMinutes(15), null, at))
            .ToList();
        var pending = new ApprovalStatus(votes.Take(1).ToList(), null, null);
        var approved = new ApprovalStatus(votes, ApprovalOutcome.Approved, at);
        var denied = new ApprovalStatus([votes[0] with { Approve = false }], ApprovalOutcome.Denied, at);
        var expired = new ApprovalStatus([], ApprovalOutcome.Expired, at);
        var page = new Uri("https://broker.example/approvals?request=req-42");
        var cards = new Dictionary<string, JsonObject>();
        foreach (var (name, n) in new[] { ("plain", notice), ("huge", huge), ("hostile", hostile) })
        {
            cards[name + "-bot-announce"] = ApprovalCardComposer.BotCard(n, null, TimeSpan.FromMinutes(15));
            cards[name + "-bot-pending"] = ApprovalCardComposer.BotCard(n, pending, TimeSpan.FromMinutes(15));
            cards[name + "-bot-approved"] = ApprovalCardComposer.BotCard(n, approved, TimeSpan.FromMinutes(15));
            cards[name + "-bot-denied"] = ApprovalCardComposer.BotCard(n, denied, TimeSpan.FromMinutes(15));
            cards[name + "-bot-expired"] = ApprovalCardComposer.BotCard(n, expired, TimeSpan.FromMinutes(15));
            cards[name + "-workflows"] = ApprovalCardComposer.WorkflowsCard(n, page);
            cards[name + "-workflows-approved"] = ApprovalCardComposer.WorkflowsOutcomeCard(n, approved, page);
            cards[name + "-workflows-expired"] = ApprovalCardComposer.WorkflowsOutcomeCard(n, expired, page);
        }

        cards["by-id-pending"] = ApprovalCardComposer.BotCardForRequest("req-42", 1, pending);
        cards["by-id-approved"] = ApprovalCardComposer.BotCardForRequest(new string('q', 5000), 1, approved);
        return cards;
    }
}
