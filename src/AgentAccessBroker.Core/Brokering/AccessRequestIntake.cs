using System.Diagnostics;
using AgentAccessBroker.Actions;
using AgentAccessBroker.Audit;
using AgentAccessBroker.Decisions;
using AgentAccessBroker.Domain;
using AgentAccessBroker.Policy;
using AgentAccessBroker.Storage;

namespace AgentAccessBroker.Brokering;

/// <summary>
/// Takes an agent's request for a task already resolved (over HTTP: by its task token) through validation,
/// assessment and decision, and acts on the decision: a grant goes to the <see cref="CredentialIssuer"/> as data, an
/// approval is stored, announced and given a durable expiry, a denial is stored and answered with reasons and a
/// narrower request where one exists.
/// </summary>
public sealed class AccessRequestIntake(
    IBrokerStore store,
    IPolicySource policies,
    IAsyncRequestAssessor assessor,
    IHistoryDescriber history,
    ActionVocabularies vocabularies,
    CredentialIssuer issuer,
    ApprovalAnnouncer announcer,
    IRevocationScheduler scheduler,
    TimeProvider time)
{
    public const int MaxResources = 50;
    public const int MaxActions = 50;
    public const int MaxPurposeLength = 2000;
    public static readonly TimeSpan MaxDuration = TimeSpan.FromHours(24);

    /// <param name="dryRun">Assess only: nothing is stored, minted or counted in the history.</param>
    public async Task<RequestOutcome> SubmitAsync(Principal agent, BrokerTask task, NewAccessRequest input, bool dryRun, CancellationToken cancellationToken)
    {
        if (dryRun)
        {
            var (request, assessment, _) = await AssessAsync(agent, task, input, cancellationToken);
            return new RequestOutcome.Evaluated(request, assessment);
        }

        return await DecideAsync(agent, task, input, cancellationToken) switch
        {
            IntakeDecision.Grant grant => await issuer.IssueAsync(new Issuance.Granted(grant.Record, grant.Task), cancellationToken),
            IntakeDecision.NeedsApproval approval => await AskAsync(approval, cancellationToken),
            IntakeDecision.Deny denial => await DenyAsync(denial, cancellationToken),
            var other => throw new UnreachableException($"Unknown decision {other.GetType().Name}."),
        };
    }

    /// <summary>
    /// Validates and assesses a new request for <paramref name="task"/> and decides it, storing nothing: the decision
    /// carries the request as it will be stored, with its history update and audit events.
    /// </summary>
    public async Task<IntakeDecision> DecideAsync(Principal agent, BrokerTask task, NewAccessRequest input, CancellationToken cancellationToken)
    {
        var (request, assessment, context) = await AssessAsync(agent, task, input, cancellationToken);
        var now = request.CreatedAt;
        var status = assessment.Decision switch
        {
            DecisionKind.Grant => RequestStatus.Approved,
            DecisionKind.Deny => RequestStatus.Denied,
            _ => RequestStatus.Pending,
        };
        request = request with
        {
            Status = status,
            Assessment = assessment,
            GrantedDuration = assessment.GrantedDuration,
            DecidedAt = status == RequestStatus.Pending ? null : now,
        };
        var outcome = history.Describe(request, context.Vocabulary, context.Resolved, task.Environment, assessment.Decision, now);
        var events = new List<AuditEntry> { AuditEntries.RequestReceived(request, context.Policy.Version), AuditEntries.RequestAssessed(request, assessment) };
        switch (assessment.Decision)
        {
            case DecisionKind.Grant:
                events.Add(AuditEntries.RequestDecided("broker", request, RequestStatus.Approved, assessment.GrantedDuration, "granted automatically"));
                return new IntakeDecision.Grant(new RequestRecord(request, assessment, outcome, events), task);

            case DecisionKind.Deny:
                events.Add(AuditEntries.RequestDecided("broker", request, RequestStatus.Denied, null, string.Join("; ", assessment.Reasons)));
                return new IntakeDecision.Deny(new RequestRecord(request, assessment, outcome, events));

            default:
                var policy = context.Policy;
                var agentOwner = PendingApprovals.AgentOwnerOf(request, policy, agent);
                var approvers = PendingApprovals.EligibleApprovers(request, policy, task.Owner, agentOwner);
                var deadline = PendingApprovals.DeadlineOf(request, policy);
                events.Add(AuditEntries.ApprovalRequested(request, context.Target.ApproverGroup, approvers, assessment.Quorum, deadline));
                var pending = new RequestOutcome.PendingApproval(request, context.Target.ApproverGroup, approvers, assessment.Quorum, deadline, assessment.HumanReviewMode)
                {
                    ClaimWindow = IssuanceRule.ClaimWindowOf(request, policy),
                };
                return new IntakeDecision.NeedsApproval(new RequestRecord(request, assessment, outcome, events), pending, PendingApprovals.NoticeFor(request, task, policy, agentOwner));
        }
    }

    private async Task<RequestOutcome> AskAsync(IntakeDecision.NeedsApproval approval, CancellationToken cancellationToken)
    {
        await RecordAsync(approval.Record, cancellationToken);
        await scheduler.ScheduleApprovalExpiryAsync(approval.Record.Request.Id, approval.Outcome.ExpiresAt, cancellationToken);
        await announcer.AnnounceAsync(approval.Notice, cancellationToken);
        return approval.Outcome;
    }

    private async Task<RequestOutcome> DenyAsync(IntakeDecision.Deny denial, CancellationToken cancellationToken)
    {
        await RecordAsync(denial.Record, cancellationToken);
        return new RequestOutcome.Denied(denial.Record.Request, denial.Record.Assessment);
    }

    private Task RecordAsync(RequestRecord record, CancellationToken cancellationToken) =>
        store.RecordRequestAsync(record.Request, record.Fold, null, record.Events, cancellationToken);

    /// <summary>Validation, the connector's check, the issuance rule and the assessment: everything but storing.</summary>
    private async Task<(AccessRequest Request, Assessment Assessment, AssessmentContext Context)> AssessAsync(
        Principal agent, BrokerTask task, NewAccessRequest input, CancellationToken cancellationToken)
    {
        var policy = policies.Current;
        var target = Validate(input, policy, agent.Id);

        // The connector checks its vocabulary now, so nothing it cannot mint is assessed, shown to an approver or
        // "would be granted" in a dry run.
        issuer.CheckMintable(target, input, agent.Id);
        if (task.AgentId != agent.Id)
        {
            throw BrokerError.Forbidden("not_your_task", "This task belongs to another agent.");
        }

        var now = time.GetUtcNow();
        var request = new AccessRequest(Ids.New("req"), agent.Id, task.Id, input.Target, input.Resources, input.Actions, input.Purpose.Trim(),
            input.Duration, now, RequestStatus.Pending, null, null, null, null);

        // The issuance rule at submit: nothing is assessed, stored or minted for an ended or overdue task, a disabled
        // or locked agent, or a locked task. (The store checks it again in the transaction that writes a lease.)
        if (IssuanceRule.Check(request, task, agent, await store.ListLocksAsync(false, cancellationToken), policy, null, now) is { } refusal)
        {
            throw refusal;
        }

        var resolved = request.Resources.Select(r => new ResolvedResource(r, target.Match(r))).ToList();
        var past = await store.GetHistoryAsync(agent.Id, task.Id, cancellationToken);
        var vocabulary = vocabularies.For(target.Connector);
        var assessment = await assessor.AssessAsync(new AssessmentInput(request, task, policy, target, policy.FindAgent(agent.Id), resolved, past, now, vocabulary), cancellationToken);
        return (request, assessment, new AssessmentContext(policy, target, vocabulary, resolved));
    }

    /// <summary>
    /// The agent's follow-up on its own request: an approved request is minted now (exactly once), a pending one says
    /// who is deciding, a refused one says why.
    /// </summary>
    public async Task<RequestOutcome> CheckAsync(Principal agent, string requestId, CancellationToken cancellationToken)
    {
        var request = await store.GetRequestAsync(requestId, cancellationToken);
        if (request is null || request.AgentId != agent.Id)
        {
            throw BrokerError.NotFound("request", requestId);
        }

        var policy = policies.Current;
        switch (request.Status)
        {
            case RequestStatus.Approved:
                return await issuer.IssueAsync(new Issuance.Approved(request, null, agent.Id), cancellationToken);
            case RequestStatus.Withdrawn:
                // Say why, when the reason still holds (task ended, agent cut off, approval too old), else that it was withdrawn.
                var ofTask = await store.GetTaskAsync(request.TaskId, cancellationToken);
                var registered = await store.GetPrincipalAsync(request.AgentId, cancellationToken);
                throw IssuanceRule.Check(request, ofTask, registered, await store.ListLocksAsync(false, cancellationToken), policy, request.DecidedAt, time.GetUtcNow())
                    ?? IssuanceRefusals.RequestWithdrawn(request.Id);
            case RequestStatus.Pending:
                var target = policy.FindTarget(request.Target);
                var task = await store.GetTaskAsync(request.TaskId, cancellationToken);
                var approvers = PendingApprovals.EligibleApprovers(request, policy, task?.Owner, PendingApprovals.AgentOwnerOf(request, policy, agent));
                return new RequestOutcome.PendingApproval(request, target?.ApproverGroup ?? string.Empty, approvers, request.Assessment?.Quorum ?? 1,
                    PendingApprovals.DeadlineOf(request, policy), request.Assessment?.HumanReviewMode ?? false)
                {
                    ClaimWindow = IssuanceRule.ClaimWindowOf(request, policy),
                };
            case RequestStatus.Issued:
                return new RequestOutcome.AlreadyIssued(request);
            case RequestStatus.Failed:
                // The lease keeps the failure as "code: reason" (see CredentialIssuer); repeat it rather than guess.
                var failedLease = request.LeaseId is { } leaseId ? await store.GetLeaseAsync(leaseId, cancellationToken) : null;
                return failedLease?.LastError is { } error && error.IndexOf(": ", StringComparison.Ordinal) is > 0 and var colon
                    ? new RequestOutcome.MintFailed(request, error[..colon], error[(colon + 2)..] + " Submit a new request.")
                    : new RequestOutcome.MintFailed(request, "mint_failed", "Minting failed after approval. Submit a new request.");
            default:
                var why = request.Status == RequestStatus.Expired ? "no approver decided in time" : "an approver or the policy denied it";
                var assessment = request.Assessment! with { Decision = DecisionKind.Deny, Reasons = [.. request.Assessment!.Reasons, why] };
                return new RequestOutcome.Denied(request, assessment);
        }
    }

    private static TargetPolicy Validate(NewAccessRequest input, BrokerPolicy policy, string agentId)
    {
        if (string.IsNullOrWhiteSpace(input.Target))
        {
            throw BrokerError.Invalid("missing_target", "Name the target to access (see describe_targets).");
        }

        var target = policy.FindTarget(input.Target)
            ?? throw BrokerError.Invalid("unknown_target", $"Unknown target '{input.Target}'. Known targets: {string.Join(", ", policy.Targets.Select(t => t.Name))}.");
        var agentPolicy = policy.FindAgent(agentId)
            ?? throw BrokerError.Forbidden("agent_not_in_policy", $"Agent '{agentId}' is not declared in the policy.");
        if (!agentPolicy.MayUse(target.Name))
        {
            throw BrokerError.Forbidden("target_not_allowed", $"Agent '{agentId}' may not use target '{target.Name}'.");
        }

        RequireList(input.Resources, "resources", MaxResources, 512);
        RequireList(input.Actions, "actions", MaxActions, 256);
        if (string.IsNullOrWhiteSpace(input.Purpose))
        {
            throw BrokerError.Invalid("missing_purpose", "Say why you need this access: the purpose is part of every decision.");
        }

        if (input.Purpose.Length > MaxPurposeLength)
        {
            throw BrokerError.Invalid("purpose_too_long", $"The purpose is limited to {MaxPurposeLength} characters.");
        }

        if (input.Duration <= TimeSpan.Zero || input.Duration > MaxDuration)
        {
            throw BrokerError.Invalid("invalid_duration", $"The duration must be more than zero and at most {MaxDuration.TotalHours:0} hours.");
        }

        return target;
    }

    private static void RequireList(IReadOnlyList<string>? values, string name, int max, int maxLength)
    {
        if (values is null || values.Count == 0)
        {
            throw BrokerError.Invalid($"missing_{name}", $"List at least one of the {name} you need.");
        }

        if (values.Count > max)
        {
            throw BrokerError.Invalid($"too_many_{name}", $"At most {max} {name} per request; ask for what this step needs.");
        }

        if (values.Any(v => string.IsNullOrWhiteSpace(v) || v.Length > maxLength))
        {
            throw BrokerError.Invalid($"invalid_{name}", $"Each of the {name} must be non-empty and at most {maxLength} characters.");
        }
    }

    /// <summary>What the assessment of one request was made against, for recording its outcome.</summary>
    private sealed record AssessmentContext(BrokerPolicy Policy, TargetPolicy Target, IActionVocabulary Vocabulary, IReadOnlyList<ResolvedResource> Resolved);
}
