// The structured results of the tools (structuredContent), and the output schemas generated from them. Property names
// are fixed by [JsonPropertyName] so the schema and the content agree whatever serializer options the SDK uses; they
// are the tools' contract with agents: renaming one is a breaking change.
#pragma warning disable SA1649, SA1402
using System.ComponentModel;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace AgentAccessBroker.Mcp;

[Description("Why a call failed, and what to change. Present only when the result is an error that is not a decision.")]
internal sealed record ToolError(
    [property: JsonPropertyName("code"), Description("Stable error code, e.g. missing_argument, invalid_argument, broker_unreachable.")] string Code,
    [property: JsonPropertyName("message"), Description("What went wrong and what to do, in words.")] string Message,
    [property: JsonPropertyName("field"), Description("The argument at fault, when one is.")] string? Field = null,
    [property: JsonPropertyName("expected"), Description("The form the argument must take.")] string? Expected = null);

internal sealed record TaskOutput(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("description")] string Description,
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("deadline")] DateTimeOffset? Deadline);

internal sealed record ResourceOutput(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("sensitivity")] string Sensitivity,
    [property: JsonPropertyName("environment")] string Environment,
    [property: JsonPropertyName("tags")] IReadOnlyList<string> Tags,
    [property: JsonPropertyName("description")] string? Description,
    [property: JsonPropertyName("normal_duration")] string NormalDuration,
    [property: JsonPropertyName("max_duration")] string MaxDuration);

internal sealed record TargetOutput(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("connector")] string Connector,
    [property: JsonPropertyName("description")] string Description,
    [property: JsonPropertyName("suggested_actions")] IReadOnlyList<string> SuggestedActions,
    [property: JsonPropertyName("resources")] IReadOnlyList<ResourceOutput> Resources);

[Description("The task and what it may ask for.")]
internal sealed record TargetsOutput(
    [property: JsonPropertyName("task")] TaskOutput? Task,
    [property: JsonPropertyName("targets")] IReadOnlyList<TargetOutput> Targets,
    [property: JsonPropertyName("guidance")] string? Guidance,
    [property: JsonPropertyName("error")] ToolError? Error = null);

internal sealed record FactorOutput(
    [property: JsonPropertyName("code")] string Code,
    [property: JsonPropertyName("points")] int Points,
    [property: JsonPropertyName("explanation")] string Explanation);

[Description("A narrower request the broker would grant: send these arguments to request_access.")]
internal sealed record NarrowerRequestOutput(
    [property: JsonPropertyName("resources")] IReadOnlyList<string> Resources,
    [property: JsonPropertyName("actions")] IReadOnlyList<string> Actions,
    [property: JsonPropertyName("duration")] string Duration,
    [property: JsonPropertyName("explanation")] string Explanation);

internal sealed record LeaseOutput(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("target")] string Target,
    [property: JsonPropertyName("resources")] IReadOnlyList<string> Resources,
    [property: JsonPropertyName("actions")] IReadOnlyList<string> Actions,
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("expires_at")] DateTimeOffset ExpiresAt,
    [property: JsonPropertyName("seconds_left")] long SecondsLeft);

[Description("The credential of a grant, shown once: named fields and ready-made forms. Never write it to files, logs or commits.")]
internal sealed record CredentialOutput(
    [property: JsonPropertyName("kind"), Description("postgresql-login, aws-sts-session, azure-access-token, ...")] string Kind,
    [property: JsonPropertyName("expires_at")] DateTimeOffset ExpiresAt,
    [property: JsonPropertyName("fields"), Description("The credential's parts by name: host, port, database, user, password; access_key_id, secret_access_key, session_token, region; ...")] IReadOnlyDictionary<string, string> Fields,
    [property: JsonPropertyName("env"), Description("Environment variables to set for the commands of this step only.")] IReadOnlyDictionary<string, string> Env,
    [property: JsonPropertyName("libpq_url"), Description("postgresql://user:password@host:port/database (PostgreSQL targets).")] string? LibpqUrl,
    [property: JsonPropertyName("connection_string"), Description("A key=value connection string (PostgreSQL targets).")] string? ConnectionString,
    [property: JsonPropertyName("credential_process"), Description("What an AWS credential_process command must print (AWS targets).")] JsonObject? CredentialProcess,
    [property: JsonPropertyName("forms"), Description("Every ready-made form by name, as text.")] IReadOnlyDictionary<string, string> Forms,
    [property: JsonPropertyName("revocation_note")] string RevocationNote);

internal sealed record ApprovalOutput(
    [property: JsonPropertyName("group")] string? Group,
    [property: JsonPropertyName("approvers")] IReadOnlyList<string> Approvers,
    [property: JsonPropertyName("quorum")] int? Quorum,
    [property: JsonPropertyName("expires_at")] DateTimeOffset? ExpiresAt);

[Description("The broker's decision on a request, and the credential when granted.")]
internal sealed record AccessOutput(
    [property: JsonPropertyName("outcome"), Description("granted, pending_approval, denied, evaluated, already_issued, mint_failed, ... ; 'error' when the call itself failed.")] string Outcome,
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("request_id")] string? RequestId,
    [property: JsonPropertyName("target")] string? Target,
    [property: JsonPropertyName("resources")] IReadOnlyList<string> Resources,
    [property: JsonPropertyName("actions")] IReadOnlyList<string> Actions,
    [property: JsonPropertyName("decision"), Description("The analyzer's decision: grant, approve, deny.")] string? Decision,
    [property: JsonPropertyName("score"), Description("Risk score 0-100.")] int? Score,
    [property: JsonPropertyName("reasons")] IReadOnlyList<string> Reasons,
    [property: JsonPropertyName("factors")] IReadOnlyList<FactorOutput> Factors,
    [property: JsonPropertyName("narrower_request")] NarrowerRequestOutput? NarrowerRequest,
    [property: JsonPropertyName("human_review_mode")] bool HumanReviewMode,
    [property: JsonPropertyName("lease")] LeaseOutput? Lease,
    [property: JsonPropertyName("credential")] CredentialOutput? Credential,
    [property: JsonPropertyName("approval")] ApprovalOutput? Approval,
    [property: JsonPropertyName("retry_after_seconds"), Description("While pending: when to call check_request again.")] int? RetryAfterSeconds,
    [property: JsonPropertyName("error")] ToolError? Error = null);

[Description("This task's live leases.")]
internal sealed record LeasesOutput(
    [property: JsonPropertyName("task_id")] string? TaskId,
    [property: JsonPropertyName("leases")] IReadOnlyList<LeaseOutput> Leases,
    [property: JsonPropertyName("error")] ToolError? Error = null);

[Description("What a release did.")]
internal sealed record ReleaseOutput(
    [property: JsonPropertyName("outcome"), Description("revoked, alreadydone, failed, task_completed; 'error' when the call itself failed.")] string Outcome,
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("lease_id")] string? LeaseId,
    [property: JsonPropertyName("task_id")] string? TaskId,
    [property: JsonPropertyName("leases_revoked")] int LeasesRevoked,
    [property: JsonPropertyName("revocations_failed")] int RevocationsFailed,
    [property: JsonPropertyName("error")] ToolError? Error = null);
