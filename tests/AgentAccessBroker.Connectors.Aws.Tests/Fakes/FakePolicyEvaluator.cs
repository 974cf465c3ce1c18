using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace AgentAccessBroker.Connectors.Aws.Tests.Fakes;

/// <summary>
/// IAM's evaluation for one request of an assumed-role session, reduced to what the connector relies on: an explicit
/// Deny in any of the role's inline policies wins; otherwise the request must be allowed by the role's permissions AND
/// by the session policy. Conditions support exactly the keys the connector writes; anything else throws so a test
/// cannot pass on a condition the fake does not understand.
/// </summary>
internal static class FakePolicyEvaluator
{
    public sealed record Decision(bool Allowed, string Reason);

    public static Decision Evaluate(FakeSession session, string action, string resource, DateTimeOffset now)
    {
        foreach (var (name, document) in session.Role.InlinePolicies)
        {
            foreach (var statement in Statements(document))
            {
                if (Effect(statement) == "Deny" && Matches(statement, "Action", action, ignoreCase: true) && Matches(statement, "Resource", resource, ignoreCase: false)
                    && ConditionsHold(statement, session))
                {
                    return new Decision(false, $"explicit deny in inline policy {name}");
                }
            }
        }

        var roleAllows = session.Role.AllowedActions.Any(p => Glob(p, action, ignoreCase: true))
            || session.Role.InlinePolicies.Values.SelectMany(Statements).Any(s => Effect(s) == "Allow" && Matches(s, "Action", action, true) && Matches(s, "Resource", resource, false));
        if (!roleAllows)
        {
            return new Decision(false, "no identity-based policy allows the action");
        }

        if (session.SessionPolicy is { } policy
            && !Statements(policy).Any(s => Effect(s) == "Allow" && Matches(s, "Action", action, true) && Matches(s, "Resource", resource, false)))
        {
            return new Decision(false, "no session policy allows the action");
        }

        return new Decision(true, "allowed");
    }

    public static IEnumerable<JsonObject> Statements(string document) =>
        JsonNode.Parse(document)?["Statement"] switch
        {
            JsonArray array => array.OfType<JsonObject>(),
            JsonObject single => [single],
            _ => [],
        };

    public static bool Glob(string pattern, string value, bool ignoreCase) =>
        Regex.IsMatch(value, "^" + Regex.Escape(pattern).Replace(@"\*", ".*", StringComparison.Ordinal).Replace(@"\?", ".", StringComparison.Ordinal) + "$",
            (ignoreCase ? RegexOptions.IgnoreCase : RegexOptions.None) | RegexOptions.Singleline | RegexOptions.CultureInvariant);

    private static string? Effect(JsonObject statement) => statement["Effect"]?.GetValue<string>();

    private static IEnumerable<string> Values(JsonNode? node) => node switch
    {
        JsonArray array => array.Select(v => v!.GetValue<string>()),
        JsonValue value => [value.GetValue<string>()],
        _ => [],
    };

    private static bool Matches(JsonObject statement, string element, string value, bool ignoreCase) =>
        Values(statement[element]).Any(p => Glob(p, value, ignoreCase));

    private static bool ConditionsHold(JsonObject statement, FakeSession session)
    {
        if (statement["Condition"] is not JsonObject condition)
        {
            return true;
        }

        foreach (var (op, keys) in condition)
        {
            foreach (var (key, values) in (JsonObject)keys!)
            {
                var expected = Values(values).ToList();
                var holds = (op, key) switch
                {
                    ("StringLike", "aws:userid") => expected.Any(p => Glob(p, session.AssumedRoleId, ignoreCase: false)),
                    ("StringEquals", "aws:userid") => expected.Contains(session.AssumedRoleId, StringComparer.Ordinal),
                    ("DateLessThan", "aws:TokenIssueTime") => expected.Any(t => session.IssuedAt < DateTimeOffset.Parse(t, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal)),
                    _ => throw new NotSupportedException($"The fake cannot evaluate condition {op} on {key}."),
                };
                if (!holds)
                {
                    return false;
                }
            }
        }

        return true;
    }
}
