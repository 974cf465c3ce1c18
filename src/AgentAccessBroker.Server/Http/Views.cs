using AgentAccessBroker.Brokering;
using AgentAccessBroker.Client;
using AgentAccessBroker.Decisions;
using AgentAccessBroker.Domain;
using AgentAccessBroker.Policy;

namespace AgentAccessBroker.Server.Http;

/// <summary>Maps domain records to the wire contracts in AgentAccessBroker.Client.</summary>
internal static class Views
{
    public static TaskView Of(BrokerTask t) =>
        new(t.Id, t.Description, t.Owner, t.AgentId, t.ScopeHints, t.Environment, t.CreatedAt, t.Deadline, Snake(t.State), t.CompletedAt);

    public static RequestView Of(AccessRequest r) => new(
        r.Id, r.AgentId, r.TaskId, r.Target, r.Resources, r.Actions, r.Purpose, PolicyDuration.Format(r.RequestedDuration), r.CreatedAt,
        Snake(r.Status), r.Assessment is null ? null : Of(r.Assessment), r.GrantedDuration is { } g ? PolicyDuration.Format(g) : null, r.DecidedAt, r.LeaseId);

    public static AssessmentView Of(Assessment a) => new(
        a.Score, Snake(a.Decision), a.Factors.Select(f => new RiskFactorView(f.Code, f.Points, f.Explanation)).ToList(), a.Reasons,
        PolicyDuration.Format(a.GrantedDuration), a.Quorum, a.HumanReviewMode,
        a.NarrowerRequest is { } n ? new SuggestionView(n.Resources, n.Actions, PolicyDuration.Format(n.Duration), n.Explanation) : null, a.Analyzer);

    public static LeaseView Of(Lease l, DateTimeOffset now) => new(
        l.Id, l.RequestId, l.TaskId, l.AgentId, l.Target, l.Provider, l.Resources, l.Actions, l.CreatedAt, l.ExpiresAt, Snake(l.State),
        l.RevocationAttempts, l.LastError, l.NextAttemptAt, l.RevokedAt, l.VerifiedAt,
        l.State == LeaseState.Active ? Math.Max(0, (long)(l.ExpiresAt - now).TotalSeconds) : 0);

    public static RequestOutcomeView Of(RequestOutcome outcome, DateTimeOffset now) => outcome switch
    {
        RequestOutcome.Granted g => new("granted", Of(g.Request), Of(g.Lease, now),
            new CredentialView(g.Credential.Credential.Kind, g.Credential.Credential.EnvironmentVariables, g.Credential.Credential.Forms,
                g.Credential.ExpiresAt, Snake(g.Credential.Revocability), g.Credential.RevocationNote),
            null, null, null, null, g.Request.Assessment?.HumanReviewMode ?? false, null,
            $"Granted until {g.Lease.ExpiresAt:O}. {g.Credential.RevocationNote}"),
        RequestOutcome.PendingApproval p => new("pending_approval", Of(p.Request), null, null, p.Approvers, p.ApproverGroup, p.Quorum, p.ExpiresAt,
            p.HumanReviewMode, null,
            (p.HumanReviewMode ? "This task is in human-review mode after repeated denials: every request now needs a person. " : string.Empty)
            + $"Waiting for {p.Quorum} approval(s) from group '{p.ApproverGroup}' ({string.Join(", ", p.Approvers)}) until {p.ExpiresAt:O}. "
            + $"Once approved, claim it within {PolicyDuration.Format(p.ClaimWindow)}: a later claim is refused (approval_expired).",
            PolicyDuration.Format(p.ClaimWindow)),
        RequestOutcome.Denied d => new("denied", Of(d.Request), null, null, null, null, null, null, d.Assessment.HumanReviewMode, "denied",
            "Denied: " + string.Join("; ", d.Assessment.Reasons)),
        RequestOutcome.Evaluated e => new("evaluated", Of(e.Request with { Assessment = e.Assessment }), null, null, null, null, null, null,
            e.Assessment.HumanReviewMode, null, $"Dry run: would be {Snake(e.Assessment.Decision)} (score {e.Assessment.Score})."),
        RequestOutcome.AlreadyIssued a => new("already_issued", Of(a.Request), null, null, null, null, null, null, false, "already_issued",
            "The credential for this request was already handed out once and cannot be shown again. Release it and request again if it was lost."),
        RequestOutcome.MintFailed m => new("mint_failed", Of(m.Request), null, null, null, null, null, null, false, m.Code, m.Reason),
        _ => throw new InvalidOperationException("Unknown outcome."),
    };

    public static TargetView Of(TargetPolicy target, BrokerPolicy policy)
    {
        var lowest = target.Resources.Select(r => r.Sensitivity).DefaultIfEmpty(Sensitivity.Critical).Min();
        var rules = policy.RulesFor(lowest);
        return new TargetView(
            target.Name,
            target.Connector,
            target.Description,
            target.Resources.Select(r => Of(r, policy)).ToList(),
            SuggestedActions(target),
            PolicyDuration.Format(rules.NormalDuration),
            PolicyDuration.Format(rules.MaxDuration),
            "Ask for named resources (not wildcards), read-only actions unless the task needs writes, and the normal duration: narrow requests are granted at once.");
    }

    /// <summary>A catalogue entry with the durations its own sensitivity allows (not its target's least sensitive).</summary>
    private static ResourceView Of(ResourcePolicy resource, BrokerPolicy policy)
    {
        var rules = policy.RulesFor(resource.Sensitivity);
        return new ResourceView(resource.Pattern, Snake(resource.Sensitivity), resource.Environment, resource.Tags, resource.Description,
            PolicyDuration.Format(rules.NormalDuration), PolicyDuration.Format(rules.MaxDuration));
    }

    // Only what the target can actually grant: an Azure target's allowed_roles, never a role it would refuse.
    private static IReadOnlyList<string> SuggestedActions(TargetPolicy target) => target.Connector switch
    {
        "postgresql" => ["SELECT", "INSERT", "UPDATE", "DELETE"],
        "aws" => ["s3:GetObject", "s3:ListBucket", "logs:GetLogEvents", "dynamodb:GetItem"],
        "azure" => (target.Settings.Get("allowed_roles") ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
        _ => [],
    };

    private static string Snake<T>(T value)
        where T : struct, Enum
    {
        var name = value.ToString();
        var builder = new System.Text.StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0)
            {
                builder.Append('_');
            }

            builder.Append(char.ToLowerInvariant(name[i]));
        }

        return builder.ToString();
    }
}
