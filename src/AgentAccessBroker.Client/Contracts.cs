// Wire contracts of the broker's HTTP API (/v1). JSON uses snake_case (see BrokerJson). These records are the API:
// renaming a property is a breaking change.
#pragma warning disable SA1649, SA1402
namespace AgentAccessBroker.Client;

/// <param name="Owner">Optional when the policy declares the agent (its owner comes from there); refused when it disagrees.</param>
/// <param name="TokenExpiresIn">Optional token lifetime (<c>30d</c>, <c>12h</c>); without it the token does not expire.</param>
public sealed record RegisterAgentBody(string Id, string? Owner, string? TokenExpiresIn = null);

/// <param name="TokenExpiresIn">Optional token lifetime (<c>30d</c>, <c>12h</c>); without it the token does not expire.</param>
public sealed record RegisterPrincipalBody(string Id, IReadOnlyList<string> Roles, string? TokenExpiresIn = null);

/// <summary>Returned once when an agent or person is registered. The token is never shown again.</summary>
public sealed record RegisteredPrincipal(string Id, IReadOnlyList<string> Roles, string? Owner, string Token)
{
    public override string ToString() => $"RegisteredPrincipal {{ Id = {Id}, Token = (redacted) }}";
}

public sealed record StartTaskBody(string Agent, string Description, IReadOnlyList<string>? ScopeHints, string? Environment, DateTimeOffset? Deadline);

public sealed record TaskView(
    string Id, string Description, string Owner, string Agent, IReadOnlyList<string> ScopeHints, string? Environment,
    DateTimeOffset CreatedAt, DateTimeOffset? Deadline, string State, DateTimeOffset? CompletedAt);

/// <summary>Returned once by task start: the token the agent's MCP configuration carries.</summary>
public sealed record StartedTask(TaskView Task, string TaskToken)
{
    public override string ToString() => $"StartedTask {{ Task = {Task.Id}, TaskToken = (redacted) }}";
}

public sealed record CompletedTask(TaskView Task, bool AlreadyCompleted, int LeasesRevoked, int RevocationsFailed);

/// <summary>An agent's request. <c>duration</c> is text: <c>15m</c>, <c>1h30m</c>, <c>900s</c> or ISO-8601 <c>PT15M</c>.</summary>
public sealed record AccessRequestBody(
    string Target, IReadOnlyList<string> Resources, IReadOnlyList<string> Actions, string Purpose, string Duration, bool DryRun = false);

public sealed record RiskFactorView(string Code, int Points, string Explanation);

public sealed record SuggestionView(IReadOnlyList<string> Resources, IReadOnlyList<string> Actions, string Duration, string Explanation);

public sealed record AssessmentView(
    int Score, string Decision, IReadOnlyList<RiskFactorView> Factors, IReadOnlyList<string> Reasons, string GrantedDuration,
    int Quorum, bool HumanReviewMode, SuggestionView? NarrowerRequest, string Analyzer);

public sealed record RequestView(
    string Id, string Agent, string Task, string Target, IReadOnlyList<string> Resources, IReadOnlyList<string> Actions, string Purpose,
    string RequestedDuration, DateTimeOffset CreatedAt, string Status, AssessmentView? Assessment, string? GrantedDuration,
    DateTimeOffset? DecidedAt, string? Lease);

public sealed record LeaseView(
    string Id, string Request, string Task, string Agent, string Target, string Provider, IReadOnlyList<string> Resources,
    IReadOnlyList<string> Actions, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, string State, int RevocationAttempts,
    string? LastError, DateTimeOffset? NextAttemptAt, DateTimeOffset? RevokedAt, DateTimeOffset? VerifiedAt, long SecondsLeft);

/// <summary>A minted credential in ready-to-use forms. Shown once; <see cref="ToString"/> redacts it.</summary>
public sealed record CredentialView(
    string Kind, IReadOnlyDictionary<string, string> EnvironmentVariables, IReadOnlyDictionary<string, string> Forms,
    DateTimeOffset ExpiresAt, string Revocability, string RevocationNote)
{
    public override string ToString() => $"CredentialView {{ Kind = {Kind}, ExpiresAt = {ExpiresAt:O}, (secrets redacted) }}";
}

/// <summary>
/// The outcome of submitting or checking a request: <c>granted</c> (with <see cref="Credential"/> and <see cref="Lease"/>),
/// <c>pending_approval</c>, <c>denied</c>, <c>evaluated</c> (dry run), <c>already_issued</c> or <c>mint_failed</c>.
/// </summary>
public sealed record RequestOutcomeView(
    string Outcome, RequestView Request, LeaseView? Lease, CredentialView? Credential, IReadOnlyList<string>? Approvers,
    string? ApproverGroup, int? Quorum, DateTimeOffset? ApprovalExpiresAt, bool HumanReviewMode, string? ErrorCode, string Message,
    string? ClaimWindow = null)
{
    public override string ToString() => $"RequestOutcomeView {{ Outcome = {Outcome}, Request = {Request.Id}, Credential = {(Credential is null ? "none" : "(redacted)")} }}";
}

public sealed record VoteBody(string? Duration, string? Comment);

public sealed record VoteView(string Outcome, string Request, string? Status, IReadOnlyList<string> Approvals, IReadOnlyList<string> Denials, string Message);

public sealed record ReleaseView(string Lease, string Outcome, string State);

/// <summary>A catalogue entry; <c>normal_duration</c> and <c>max_duration</c> are those of its own sensitivity.</summary>
public sealed record ResourceView(string Name, string Sensitivity, string Environment, IReadOnlyList<string> Tags, string? Description, string NormalDuration, string MaxDuration);

/// <summary>
/// A target as an agent may use it. <c>suggested_actions</c> lists only actions the target can grant; the target-level
/// durations are the longest any of its resources allows (each resource carries its own).
/// </summary>
public sealed record TargetView(
    string Name, string Connector, string Description, IReadOnlyList<ResourceView> Resources, IReadOnlyList<string> SuggestedActions,
    string NormalDuration, string MaxDuration, string Guidance);

public sealed record HealthView(string Status, string Store, string Policy, string PolicyVersion);

// Principal lifecycle and locks (admins only).

public sealed record PrincipalChangeBody(string? Reason);

/// <summary>What disabling, enabling or removing a principal did.</summary>
public sealed record PrincipalChangeView(string Id, string Status, int LeasesRevoked, int RevocationsFailed, int RequestsWithdrawn);

/// <param name="ExpiresIn">Optional lifetime of the new token (<c>30d</c>); without it the token does not expire.</param>
public sealed record RotateTokenBody(string? ExpiresIn);

/// <summary>Exactly one of <see cref="Agent"/>, <see cref="User"/> and <see cref="Task"/>, and why.</summary>
public sealed record LockBody(string? Agent, string? User, string? Task, string Reason);

public sealed record LockView(string Id, string Kind, string Subject, string Reason, string CreatedBy, DateTimeOffset CreatedAt, DateTimeOffset? LiftedAt);

/// <summary>What a new lock did at once: leases revoked, revocations that failed (and are retried), requests withdrawn.</summary>
public sealed record LockedView(LockView Lock, int LeasesRevoked, int RevocationsFailed, int RequestsWithdrawn);
