using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;

namespace AgentAccessBroker.Connectors.Slack.Tests;

/// <summary>
/// Property-based fuzzing of the Slack interactivity endpoint: signed and unsigned, well-formed and broken payloads
/// (wrong types, missing and duplicated keys, hostile text, oversized values). No response is a 5xx and nothing but a
/// well-formed click by a known approver reaches the desk. Seeded by <c>AAB_FUZZ_SEED</c>; <c>AAB_FUZZ_CASES</c> sets
/// the count (default 1,000).
/// </summary>
public sealed class SlackEndpointFuzzTests : BrokerHostTest
{
    private static readonly string[] Hostile =
    [
        "", "null", "0", "-1", "U0ALICE", "U0MALLORY", "approve", "deny", "approve_shorter", "req_fuzz", "block_actions", "view_submission",
        "\u0000", "\u001b[2J", "\u202E", "💥", "<!channel>", "@here", "*bold*", new string('x', 300), "1e309", "{}", "[]",
    ];

    private string _ts = null!;

    protected override async Task StartedAsync()
    {
        Host.Desk.Add("req_fuzz", "tom", "dana", 1, ("U0ALICE", "alice"));
        _ts = await Host.AnnounceAsync(BrokerHost.Notice("req_fuzz"));
    }

    [Fact]
    public async Task Post_GeneratedPayloads_NeverA5xx()
    {
        var cases = int.TryParse(Environment.GetEnvironmentVariable("AAB_FUZZ_CASES"), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? Math.Max(1, n / 3) : 1_000;
        var seed = ulong.TryParse(Environment.GetEnvironmentVariable("AAB_FUZZ_SEED"), NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? s : 20261207UL;
        var valid = Slack.ClickPayload(_ts, "U0ALICE", "approve").ToJsonString();
        var text = Gen.Frequency<string>((5, Gen.OneOf(Hostile)), (2, Gen.String[0, 30]));
        var value = Gen.Frequency<string>((5, text.Select(t => JsonSerializer.Serialize(t))), (1, Gen.OneOf("null", "1", "true", "[]", "{}", "[{}]", "{\"id\":1}")));
        var edit = Gen.Select(Gen.OneOf("type", "user", "actions", "container", "team", "message", "response_url", "action_id", "value", "block_id", "action_ts", "id"), value, Gen.Int[0, 4]);
        var generator = Gen.Select(edit.Array[0, 4], Gen.Int[0, 9], Gen.Int[0, 9]);
        var random = new PCG(1, seed);
        var time = Host.Time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

        for (var i = 0; i < cases; i++)
        {
            var (edits, signing, shape) = generator.Generate(random, null, out _);
            var payload = Mutate(valid, edits, shape);
            var body = shape == 9 ? payload : "payload=" + Uri.EscapeDataString(payload);
            using var response = await Host.PostRawAsync(body, time, signing == 0 ? "not-the-secret" : BrokerHost.SigningSecret);

            Assert.True((int)response.StatusCode < 500, $"case {i} (seed {seed}): {(int)response.StatusCode} for {body}");
        }

        Assert.All(Host.Desk.VoteCalls, v => Assert.Equal("req_fuzz", v.RequestId));
    }

    /// <summary>Applies edits to the payload: replace a key's value, drop it, duplicate it, or break the JSON.</summary>
    private static string Mutate(string valid, (string Key, string Value, int How)[] edits, int shape)
    {
        var node = JsonNode.Parse(valid)!.AsObject();
        var action = node["actions"]![0]!.AsObject();
        var extra = new List<string>();
        foreach (var (key, value, how) in edits)
        {
            var target = node.ContainsKey(key) ? node : action;
            switch (how)
            {
                case 0:
                    target[key] = JsonNode.Parse(value);
                    break;
                case 1:
                    target.Remove(key);
                    break;
                default:
                    extra.Add($"{JsonSerializer.Serialize(how == 2 ? key : key.ToUpperInvariant())}:{value}");
                    break;
            }
        }

        var json = node.ToJsonString();
        if (extra.Count > 0)
        {
            json = json[..^1] + "," + string.Join(",", extra) + "}";
        }

        return shape switch
        {
            7 => json[..(json.Length / 2)],
            8 => "[" + json + "]",
            _ => json,
        };
    }
}
