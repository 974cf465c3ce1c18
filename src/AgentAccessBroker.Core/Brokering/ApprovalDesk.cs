using AgentAccessBroker.Actions;
using AgentAccessBroker.Approvals;
using AgentAccessBroker.Audit;
using AgentAccessBroker.Decisions;
using AgentAccessBroker.Domain;
using AgentAccessBroker.Policy;
using AgentAccessBroker.Storage;

namespace AgentAccessBroker.Brokering;

/// <inheritdoc cref="IApprovalDesk"/>
public sealed class ApprovalDesk(
    IBrokerStore store,
    IPolicySource policies,
    IHistoryDescriber history,
    ActionVocabularies vocabularies,
    ApprovalAnnouncer announcer,
    TimeProvider time) : IApprovalDesk
{
    public async Task<VoteResult> VoteAsync(
        string requestId, string approverId, bool approve, string channel, string? channelIdentity, TimeSpan? shortenTo, string? comment, CancellationToken cancellationToken)
    {
        var request = await store.GetRequestAsync(requestId, cancellationToken);
        if (request is null)
        {
            return new VoteResult.NotFound();
        }

        var policy = policies.Current;
        var vote = new ApprovalVote(requestId, approverId, approve, channel, channelIdentity, shortenTo, comment, time.GetUtcNow());
        if (request.Status != RequestStatus.Pending)
        {
            return new VoteResult.AlreadyDecided(await StatusAsync(request, cancellationToken));
        }

        var task = await store.GetTaskAsync(request.TaskId, cancellationToken);
        var agent = await store.GetPrincipalAsync(request.AgentId, cancellationToken);
        var approver = await store.GetPrincipalAsync(approverId, cancellationToken);
        var rejection = Check(request, task, agent, approver, policy, approverId, shortenTo);
        if (rejection is null && approve
            && IssuanceRule.Check(request, task, agent, await store.ListLocksAsync(false, cancellationToken), policy, null, vote.At) is { } refusal)
        {
            // Approving what could not be issued would only leave an approval nobody may claim.
            rejection = new VoteResult.Rejected(refusal.Code, refusal.Message);
        }

        if (rejection is not null)
        {
            await store.AppendAsync(AuditEntries.Vote(request, vote, AuditEventType.ApprovalRejected, rejection.Code), cancellationToken);
            return rejection;
        }

        if (!await store.AddVoteAsync(vote, AuditEntries.Vote(request, vote, AuditEventType.ApprovalVoted, null), cancellationToken))
        {
            return new VoteResult.AlreadyDecided(await StatusAsync(request, cancellationToken));
        }

        var votes = await store.ListVotesAsync(requestId, cancellationToken);
        var quorum = request.Assessment?.Quorum ?? 1;
        var approvals = votes.Where(v => v.Approve).Select(v => v.ApproverId).Distinct(StringComparer.Ordinal).Count();

        // A single deny beats any number of approvals.
        if (votes.Any(v => !v.Approve))
        {
            await DecideAsync(request, task!, policy, agent, RequestStatus.Denied, null, approverId, "denied by an approver", cancellationToken);
        }
        else if (approvals >= quorum)
        {
            var duration = request.GrantedDuration ?? request.RequestedDuration;
            var shortest = votes.Where(v => v.Duration is not null).Select(v => v.Duration!.Value).DefaultIfEmpty(duration).Min();
            await DecideAsync(request, task!, policy, agent, RequestStatus.Approved, shortest < duration ? shortest : duration, approverId,
                $"approved by {string.Join(", ", votes.Where(v => v.Approve).Select(v => v.ApproverId))}", cancellationToken);
        }

        var current = await store.GetRequestAsync(requestId, cancellationToken) ?? request;
        return new VoteResult.Recorded(await StatusAsync(current, cancellationToken));
    }

    public async Task<string?> FindApproverAsync(string requestId, string channel, string externalUserId, CancellationToken cancellationToken)
    {
        var request = await store.GetRequestAsync(requestId, cancellationToken);
        var policy = policies.Current;
        var target = request is null ? null : policy.FindTarget(request.Target);
        var group = target is null ? null : policy.FindApproverGroup(target.ApproverGroup);
        return group?.FindByIdentity(channel, externalUserId)?.Id;
    }

    /// <summary>Denies a request nobody decided in time. False when it was no longer pending.</summary>
    public async Task<bool> ExpireAsync(string requestId, CancellationToken cancellationToken)
    {
        var request = await store.GetRequestAsync(requestId, cancellationToken);
        if (request is null || request.Status != RequestStatus.Pending)
        {
            return false;
        }

        var policy = policies.Current;
        if (PendingApprovals.DeadlineOf(request, policy) > time.GetUtcNow())
        {
            return false;
        }

        var task = await store.GetTaskAsync(request.TaskId, cancellationToken);
        var agent = await store.GetPrincipalAsync(request.AgentId, cancellationToken);
        return await DecideAsync(request, task!, policy, agent, RequestStatus.Expired, null, "scheduler", "no approver decided in time", cancellationToken);
    }

    /// <summary>
    /// Shows on their chat messages that pending requests were withdrawn (their task ended, or a cut-off took them).
    /// Best effort: the withdrawal itself is already durable. <paramref name="withdrawn"/> holds the requests as they
    /// were before; approved ones already show their outcome.
    /// </summary>
    public async Task ShowWithdrawnAsync(IReadOnlyList<AccessRequest> withdrawn, CancellationToken cancellationToken)
    {
        var policy = policies.Current;
        foreach (var request in withdrawn.Where(r => r.Status == RequestStatus.Pending))
        {
            var task = await store.GetTaskAsync(request.TaskId, cancellationToken);
            var agent = await store.GetPrincipalAsync(request.AgentId, cancellationToken);
            var decided = await store.GetRequestAsync(request.Id, cancellationToken) ?? request;
            if (task is not null)
            {
                var notice = PendingApprovals.NoticeFor(decided, task, policy, PendingApprovals.AgentOwnerOf(request, policy, agent));
                await announcer.ShowOutcomeAsync(notice, await StatusAsync(decided, cancellationToken), cancellationToken);
            }
        }
    }

    private static VoteResult.Rejected? Check(
        AccessRequest request, BrokerTask? task, Principal? agent, Principal? approver, BrokerPolicy policy, string approverId, TimeSpan? shortenTo)
    {
        // A registered approver who was disabled, removed or locked is cut off on every channel, not only the API.
        if (approver is not null && (approver.Status != PrincipalStatus.Enabled || approver.Locked))
        {
            return approver.Locked
                ? new VoteResult.Rejected(IssuanceRefusals.UserLockedCode, $"'{approverId}' is locked by an administrator and cannot vote.")
                : new VoteResult.Rejected("approver_disabled", $"'{approverId}' is disabled and cannot vote.");
        }

        // No self-approval, whichever way the approver is tied to the request: they are the requesting principal, they
        // started its task, or they own its agent (by the policy, which is the source of truth, or by its registration).
        if (string.Equals(request.AgentId, approverId, StringComparison.Ordinal))
        {
            return new VoteResult.Rejected("self_approval", "You made this request, so you cannot approve it.");
        }

        var target = policy.FindTarget(request.Target);
        var group = target is null ? null : policy.FindApproverGroup(target.ApproverGroup);
        if (group?.FindById(approverId) is null)
        {
            return new VoteResult.Rejected("not_an_approver", $"'{approverId}' is not in the approver group for target '{request.Target}'.");
        }

        if (task is not null && string.Equals(task.Owner, approverId, StringComparison.Ordinal))
        {
            return new VoteResult.Rejected("self_approval", "You started this task, so you cannot approve its requests.");
        }

        if (string.Equals(PendingApprovals.AgentOwnerOf(request, policy, agent), approverId, StringComparison.Ordinal)
            || string.Equals(agent?.Owner, approverId, StringComparison.Ordinal))
        {
            return new VoteResult.Rejected("self_approval", "You own the requesting agent, so you cannot approve its requests.");
        }

        if (shortenTo is { } d && d <= TimeSpan.Zero)
        {
            return new VoteResult.Rejected("invalid_duration", "A shortened duration must be positive.");
        }

        return null;
    }

    private async Task<bool> DecideAsync(
        AccessRequest request, BrokerTask task, BrokerPolicy policy, Principal? agent, RequestStatus status, TimeSpan? duration, string actor, string why, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        List<AuditEntry> events = [AuditEntries.RequestDecided(actor, request, status, duration, why)];
        if (status == RequestStatus.Expired)
        {
            events.Add(AuditEntries.Vote(request, new ApprovalVote(request.Id, actor, false, "scheduler", null, null, why, now), AuditEventType.ApprovalExpired, null));
        }

        if (!await store.TransitionRequestAsync(request.Id, RequestStatus.Pending, new RequestUpdate(status, now, GrantedDuration: duration), events, cancellationToken))
        {
            return false;
        }

        var target = policy.FindTarget(request.Target);
        var resolved = request.Resources.Select(r => new ResolvedResource(r, target?.Match(r))).ToList();
        var decision = status == RequestStatus.Approved ? DecisionKind.Grant : DecisionKind.Deny;
        var outcome = history.Describe(request, vocabularies.For(target?.Connector), resolved, task.Environment, decision, now);
        await store.UpdateHistoryAsync(request.AgentId, request.TaskId, h => HistoryFold.RecordOutcome(h, outcome, false), cancellationToken);

        var decided = await store.GetRequestAsync(request.Id, cancellationToken) ?? request;
        var notice = PendingApprovals.NoticeFor(decided, task, policy, PendingApprovals.AgentOwnerOf(request, policy, agent));
        await announcer.ShowOutcomeAsync(notice, await StatusAsync(decided, cancellationToken), cancellationToken);
        return true;
    }

    private async Task<ApprovalStatus> StatusAsync(AccessRequest request, CancellationToken cancellationToken)
    {
        var votes = await store.ListVotesAsync(request.Id, cancellationToken);
        ApprovalOutcome? outcome = request.Status switch
        {
            RequestStatus.Approved or RequestStatus.Issued or RequestStatus.Failed => ApprovalOutcome.Approved,
            RequestStatus.Denied or RequestStatus.Withdrawn => ApprovalOutcome.Denied,
            RequestStatus.Expired => ApprovalOutcome.Expired,
            _ => null,
        };
        return new ApprovalStatus(votes, outcome, request.DecidedAt);
    }
}
