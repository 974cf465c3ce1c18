using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AgentAccessBroker.Connectors.Aws.Revocation;

/// <summary>
/// The inline policy <c>aab-revoked-sessions</c> on a target role, as a value: which sessions are denied, and until when.
/// </summary>
/// <remarks>
/// Layout: one Deny-everything statement per expiry bucket, <c>Sid = AabRevokedUntilYYYYMMDDHHMM</c>, whose condition lists
/// the revoked sessions' <c>aws:userid</c> values (StringLike, so a <c>*:session</c> entry from a crashed mint also
/// matches). A session goes into the bucket that ends at the first whole hour after its credentials expire (plus clock
/// skew), so the Sid alone says when the whole statement may be pruned and no other storage is needed. When the list
/// would overflow the size budget, every bucket collapses into one role-wide statement
/// (<c>Sid = AabAllSessionsUntil...</c>, DateLessThan <c>aws:TokenIssueTime</c>), the documented "revoke older sessions"
/// pattern. Statements the broker did not write are kept untouched.
/// </remarks>
internal sealed class RevokedSessionsPolicy
{
    public const string PolicyName = "aab-revoked-sessions";
    public const string BucketSidPrefix = "AabRevokedUntil";
    public const string RoleWideSidPrefix = "AabAllSessionsUntil";

    /// <summary>Room for clocks that disagree with AWS's.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    private const string SidTimeFormat = "yyyyMMddHHmm";
    private const string IsoSeconds = "yyyy-MM-dd'T'HH:mm:ss'Z'";

    private readonly SortedDictionary<DateTimeOffset, SortedSet<string>> _buckets = [];
    private readonly List<JsonNode> _foreign = [];
    private (DateTimeOffset IssuedBefore, DateTimeOffset Until)? _roleWide;

    public bool IsEmpty => _buckets.Count == 0 && _foreign.Count == 0 && _roleWide is null;

    public int ListedCount => _buckets.Values.Sum(b => b.Count);

    public (DateTimeOffset IssuedBefore, DateTimeOffset Until)? RoleWide => _roleWide;

    /// <summary>Parses the decoded document; null or empty means "no policy yet".</summary>
    /// <exception cref="InvalidDataException">The document is not a policy (someone edited it by hand).</exception>
    public static RevokedSessionsPolicy Parse(string? document)
    {
        var policy = new RevokedSessionsPolicy();
        if (string.IsNullOrWhiteSpace(document))
        {
            return policy;
        }

        JsonNode? root;
        try
        {
            root = JsonNode.Parse(document);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"The inline policy {PolicyName} is not valid JSON; fix or delete it.", e);
        }

        var statements = root?["Statement"] switch
        {
            JsonArray array => array.ToList(),
            JsonObject single => [single],
            _ => [],
        };
        foreach (var statement in statements.OfType<JsonObject>())
        {
            if (!policy.TryReadOwn(statement))
            {
                policy._foreign.Add(statement.DeepClone());
            }
        }

        return policy;
    }

    /// <summary>The bucket a session expiring at <paramref name="expiry"/> belongs to.</summary>
    public static DateTimeOffset BucketFor(DateTimeOffset expiry)
    {
        var t = (expiry + ClockSkew).ToUniversalTime();
        var hour = new DateTimeOffset(t.Year, t.Month, t.Day, t.Hour, 0, 0, TimeSpan.Zero);
        return hour == t ? hour : hour.AddHours(1);
    }

    public DenyCoverage Covers(RevokedSession session)
    {
        foreach (var (until, entries) in _buckets)
        {
            if (until >= session.Expiry && entries.Contains(session.UserIdPattern))
            {
                return new DenyCoverage.Listed(BucketSid(until), until);
            }
        }

        // A crashed mint's session (IssuedAt unknown) was minted before anyone revoked it, so a role-wide deny written
        // by a later revocation covers it.
        if (_roleWide is { } wide && wide.Until >= session.Expiry && (session.IssuedAt is null || session.IssuedAt < wide.IssuedBefore))
        {
            return new DenyCoverage.RoleWide(RoleWideSid(wide.Until), wide.IssuedBefore, wide.Until);
        }

        return new DenyCoverage.None();
    }

    public void Add(RevokedSession session)
    {
        var bucket = BucketFor(session.Expiry);
        if (!_buckets.TryGetValue(bucket, out var entries))
        {
            entries = new SortedSet<string>(StringComparer.Ordinal);
            _buckets.Add(bucket, entries);
        }

        entries.Add(session.UserIdPattern);
    }

    /// <summary>Drops statements whose sessions have all expired. Returns how many sessions were dropped.</summary>
    public int Prune(DateTimeOffset now)
    {
        var expired = _buckets.Keys.Where(until => until <= now).ToList();
        var dropped = 0;
        foreach (var until in expired)
        {
            dropped += _buckets[until].Count;
            _buckets.Remove(until);
        }

        if (_roleWide is { } wide && wide.Until <= now)
        {
            _roleWide = null;
            dropped++;
        }

        return dropped;
    }

    /// <summary>
    /// Replaces every listed session by one statement denying all sessions of the role issued before
    /// <paramref name="issuedBefore"/>, kept until the last of them (and <paramref name="alsoUntil"/>) has expired.
    /// </summary>
    public void CollapseToRoleWide(DateTimeOffset issuedBefore, DateTimeOffset alsoUntil)
    {
        var until = _buckets.Keys.Append(BucketFor(alsoUntil)).Max();
        if (_roleWide is { } existing)
        {
            until = existing.Until > until ? existing.Until : until;
            issuedBefore = existing.IssuedBefore > issuedBefore ? existing.IssuedBefore : issuedBefore;
        }

        _buckets.Clear();
        _roleWide = (issuedBefore, until);
    }

    public string ToJson()
    {
        var statements = new JsonArray();
        foreach (var (until, entries) in _buckets)
        {
            statements.Add(DenyAll(BucketSid(until), "StringLike", "aws:userid", new JsonArray(entries.Select(e => (JsonNode?)JsonValue.Create(e)).ToArray())));
        }

        if (_roleWide is { } wide)
        {
            statements.Add(DenyAll(RoleWideSid(wide.Until), "DateLessThan", "aws:TokenIssueTime", JsonValue.Create(wide.IssuedBefore.UtcDateTime.ToString(IsoSeconds, CultureInfo.InvariantCulture))));
        }

        foreach (var statement in _foreign)
        {
            statements.Add(statement.DeepClone());
        }

        var root = new JsonObject { ["Version"] = "2012-10-17", ["Statement"] = statements };
        return root.ToJsonString(SessionPolicy.Json);
    }

    /// <summary>The size IAM counts against the 10,240-character inline limit: every character but whitespace.</summary>
    public static int IamSize(string document) => document.Count(c => !char.IsWhiteSpace(c));

    private static string BucketSid(DateTimeOffset until) => BucketSidPrefix + until.UtcDateTime.ToString(SidTimeFormat, CultureInfo.InvariantCulture);

    private static string RoleWideSid(DateTimeOffset until) => RoleWideSidPrefix + until.UtcDateTime.ToString(SidTimeFormat, CultureInfo.InvariantCulture);

    private static JsonObject DenyAll(string sid, string conditionOperator, string conditionKey, JsonNode? values) => new()
    {
        ["Sid"] = sid,
        ["Effect"] = "Deny",
        ["Action"] = "*",
        ["Resource"] = "*",
        ["Condition"] = new JsonObject { [conditionOperator] = new JsonObject { [conditionKey] = values } },
    };

    private static bool TryParseSidTime(string sid, string prefix, out DateTimeOffset until)
    {
        until = default;
        return sid.StartsWith(prefix, StringComparison.Ordinal)
            && DateTimeOffset.TryParseExact(sid[prefix.Length..], SidTimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out until);
    }

    private bool TryReadOwn(JsonObject statement)
    {
        if (statement["Sid"]?.GetValueKind() != JsonValueKind.String || statement["Effect"]?.GetValue<string>() != "Deny")
        {
            return false;
        }

        var sid = statement["Sid"]!.GetValue<string>();
        if (TryParseSidTime(sid, BucketSidPrefix, out var until)
            && Condition(statement, "StringLike", "aws:userid") is { } userIds)
        {
            if (!_buckets.TryGetValue(until, out var entries))
            {
                entries = new SortedSet<string>(StringComparer.Ordinal);
                _buckets.Add(until, entries);
            }

            entries.UnionWith(userIds);
            return true;
        }

        if (TryParseSidTime(sid, RoleWideSidPrefix, out until)
            && Condition(statement, "DateLessThan", "aws:TokenIssueTime") is [var issuedText]
            && DateTimeOffset.TryParse(issuedText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var issuedBefore))
        {
            _roleWide = _roleWide is { } other
                ? (Max(other.IssuedBefore, issuedBefore), Max(other.Until, until))
                : (issuedBefore, until);
            return true;
        }

        return false;
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static List<string>? Condition(JsonObject statement, string conditionOperator, string key)
    {
        if (statement["Condition"] is not JsonObject condition || condition.Count != 1 || condition[conditionOperator] is not JsonObject values || values.Count != 1)
        {
            return null;
        }

        return values[key] switch
        {
            JsonArray array when array.All(v => v?.GetValueKind() == JsonValueKind.String) => array.Select(v => v!.GetValue<string>()).ToList(),
            JsonValue single when single.GetValueKind() == JsonValueKind.String => [single.GetValue<string>()],
            _ => null,
        };
    }
}
