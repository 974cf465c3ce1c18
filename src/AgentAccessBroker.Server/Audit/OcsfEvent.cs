using System.Globalization;
using System.Text.Json.Nodes;

namespace AgentAccessBroker.Server.Audit;

/// <summary>
/// One audit event as an OCSF 1.3.0 event of the Identity &amp; Access Management category (3), for a SIEM:
/// Account Change (3001) for principals and tokens, Authorize Session (3003) for a minted credential, Entity Management
/// (3004) for tasks, requests, approvals and locks, User Access Management (3005) for granting and revoking privileges.
/// Every class's required attributes are set (category, class, activity, type, severity, time, metadata with product and
/// version, <c>user</c> or <c>entity</c>). The broker's own fields, the chain hashes included, are under
/// <c>unmapped.aab</c>. Only the audit event's fields are copied, and those never hold a secret (see
/// <see cref="AgentAccessBroker.Audit.AuditEntry"/>), so the stream has the audit trail's secrecy.
/// </summary>
public static class OcsfEvent
{
    public const string SchemaVersion = "1.3.0";

    public const int AccountChange = 3001;
    public const int AuthorizeSession = 3003;
    public const int EntityManagement = 3004;
    public const int UserAccessManagement = 3005;

    public static JsonObject Of(AuditRecord e, string productVersion)
    {
        var data = JsonNode.Parse(e.Data) as JsonObject ?? [];
        var (classUid, activityId, activityName) = Classify(e, data);
        var failed = e.Type is "revocation.failed" or "lease.mint_failed" or "approval.rejected" or "request.claim_refused"
                     || (e.Type == "request.decided" && Str(data, "status") is "Denied" or "Expired");
        var severity = e.Type switch
        {
            "revocation.failed" or "revocation.fallback" or "revocation.access_returned" => 4,
            "approval.rejected" or "lease.mint_failed" or "lock.created" or "principal.disabled" or "principal.removed" => 3,
            _ => 1,
        };
        var time = DateTimeOffset.ParseExact(e.Timestamp, AuditRecord.TimestampFormat, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
        var ocsf = new JsonObject
        {
            ["category_uid"] = 3,
            ["category_name"] = "Identity & Access Management",
            ["class_uid"] = classUid,
            ["class_name"] = ClassName(classUid),
            ["activity_id"] = activityId,
            ["activity_name"] = activityName,
            ["type_uid"] = (classUid * 100) + activityId,
            ["type_name"] = $"{ClassName(classUid)}: {activityName}",
            ["severity_id"] = severity,
            ["severity"] = severity switch { 4 => "High", 3 => "Medium", _ => "Informational" },
            ["status_id"] = failed ? 2 : 1,
            ["status"] = failed ? "Failure" : "Success",
            ["time"] = time.ToUnixTimeMilliseconds(),
            ["message"] = $"{e.Type} by {e.Actor}",
            ["metadata"] = new JsonObject
            {
                ["version"] = SchemaVersion,
                ["uid"] = e.Hash,
                ["log_name"] = "aab.audit",
                ["product"] = new JsonObject { ["name"] = "AgentAccessBroker", ["vendor_name"] = "AgentAccessBroker", ["version"] = productVersion },
            },
            ["actor"] = new JsonObject { ["user"] = new JsonObject { ["uid"] = e.Actor, ["name"] = e.Actor } },
        };

        var subject = Str(data, "principal") ?? e.AgentId ?? e.Actor;
        ocsf["user"] = new JsonObject { ["uid"] = subject, ["name"] = subject, ["type"] = e.AgentId == subject ? "Other" : "User" };
        if (classUid is AuthorizeSession or UserAccessManagement)
        {
            ocsf["privileges"] = new JsonArray([.. Strings(data, "actions").Select(a => (JsonNode)JsonValue.Create(a))]);
            ocsf["resources"] = new JsonArray([.. Strings(data, "resources").Select(r => (JsonNode)new JsonObject { ["name"] = r, ["type"] = Str(data, "target") })]);
        }

        if (classUid == AuthorizeSession)
        {
            ocsf["session"] = new JsonObject { ["uid"] = e.LeaseId, ["expiration_time"] = Millis(Str(data, "expires_at")), ["created_time"] = time.ToUnixTimeMilliseconds() };
        }

        if (classUid == EntityManagement)
        {
            var (uid, type) = e.Type.StartsWith("task.", StringComparison.Ordinal) ? (e.TaskId, "task")
                : e.Type.StartsWith("lock.", StringComparison.Ordinal) ? (Str(data, "lock"), "lock")
                : e.Type.StartsWith("policy.", StringComparison.Ordinal) ? (Str(data, "version") ?? "policy", "policy")
                : (e.RequestId, "access_request");
            ocsf["entity"] = new JsonObject { ["uid"] = uid ?? "-", ["name"] = uid ?? "-", ["type"] = type };
            if ((Str(data, "comment") ?? Str(data, "reason") ?? Str(data, "why")) is { } comment)
            {
                ocsf["comment"] = comment;
            }
        }

        ocsf["unmapped"] = new JsonObject
        {
            ["aab"] = new JsonObject
            {
                ["type"] = e.Type,
                ["sequence"] = e.Sequence,
                ["previous_hash"] = e.PreviousHash,
                ["hash"] = e.Hash,
                ["agent_id"] = e.AgentId,
                ["task_id"] = e.TaskId,
                ["request_id"] = e.RequestId,
                ["lease_id"] = e.LeaseId,
                ["data"] = data.DeepClone(),
            },
        };
        return ocsf;
    }

    private static (int Class, int Activity, string Name) Classify(AuditRecord e, JsonObject data) => e.Type switch
    {
        "agent.registered" or "principal.registered" => (AccountChange, 1, "Create"),
        "principal.enabled" => (AccountChange, 2, "Enable"),
        "principal.token_rotated" => (AccountChange, 4, "Password Reset"),
        "principal.disabled" => (AccountChange, 5, "Disable"),
        "principal.removed" => (AccountChange, 6, "Delete"),
        "lease.minted" => (AuthorizeSession, 1, "Assign Privileges"),
        "request.decided" or "lease.minting" or "lease.mint_failed" => (UserAccessManagement, 1, "Assign Privileges"),
        "revocation.requested" or "revocation.done" or "revocation.verified" or "revocation.failed" or "revocation.fallback" or "revocation.access_returned" or "lease.marked_due"
            => (UserAccessManagement, 2, "Revoke Privileges"),
        "task.started" or "request.received" or "lock.created" => (EntityManagement, 1, "Create"),
        "task.completed" or "task.cancelled" or "task.expired" or "lock.lifted" => (EntityManagement, e.Type == "lock.lifted" ? 4 : 3, e.Type == "lock.lifted" ? "Delete" : "Update"),
        _ => (EntityManagement, 3, "Update"),
    };

    private static string ClassName(int classUid) => classUid switch
    {
        AccountChange => "Account Change",
        AuthorizeSession => "Authorize Session",
        UserAccessManagement => "User Access Management",
        _ => "Entity Management",
    };

    private static string? Str(JsonObject data, string name) => data[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static IEnumerable<string> Strings(JsonObject data, string name) =>
        data[name] is JsonArray a ? a.Select(n => n is JsonValue v && v.TryGetValue<string>(out var s) ? s : string.Empty) : [];

    private static long? Millis(string? text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var t) ? t.ToUnixTimeMilliseconds() : null;
}
