using AgentAccessBroker.Approvals;
using AgentAccessBroker.Brokering;
using AgentAccessBroker.Domain;
using AgentAccessBroker.Policy;
using AgentAccessBroker.Storage;
using Microsoft.AspNetCore.Authorization;

namespace AgentAccessBroker.Server.WebConsole.Pages;

/// <summary>Requests waiting for the signed-in approver's group, and their votes, cast through the one approval desk.</summary>
[Authorize(Policy = ConsolePolicies.Approver)]
public sealed class ApprovalsModel(IBrokerStore store, IPolicySource policies, IApprovalDesk desk, TimeProvider time) : ConsolePageModel
{
    private static readonly TimeSpan[] ShorterChoices =
        [TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(15), TimeSpan.FromMinutes(30), TimeSpan.FromHours(1), TimeSpan.FromHours(2), TimeSpan.FromHours(4)];

    public IReadOnlyList<Pending> Items { get; private set; } = [];

    public DateTimeOffset Now { get; private set; }

    public Task OnGetAsync(CancellationToken cancellationToken) => LoadAsync(cancellationToken);

    public async Task OnPostApproveAsync(string id, string? shorter, string? comment, CancellationToken cancellationToken)
    {
        TimeSpan? shortenTo = null;
        if (!string.IsNullOrEmpty(shorter))
        {
            shortenTo = PolicyDuration.TryParse(shorter, out var d) ? d : null;
            if (shortenTo is null)
            {
                Problem = "Choose one of the shorter durations offered.";
                await LoadAsync(cancellationToken);
                return;
            }
        }

        await VoteAsync(id, approve: true, shortenTo, comment, cancellationToken);
    }

    public async Task OnPostDenyAsync(string id, string? reason, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(reason))
        {
            Problem = "Give a reason for the denial: the agent and the audit trail see it.";
            await LoadAsync(cancellationToken);
            return;
        }

        await VoteAsync(id, approve: false, null, reason.Trim(), cancellationToken);
    }

    private async Task VoteAsync(string id, bool approve, TimeSpan? shortenTo, string? comment, CancellationToken cancellationToken)
    {
        var result = await desk.VoteAsync(id, Caller.Id, approve, "console", null, shortenTo, string.IsNullOrWhiteSpace(comment) ? null : comment, cancellationToken);
        switch (result)
        {
            case VoteResult.Recorded recorded:
                Notice = recorded.Status.Outcome switch
                {
                    ApprovalOutcome.Approved => $"Approved {id}: the agent can claim its credential now.",
                    ApprovalOutcome.Denied => $"Denied {id}.",
                    _ => $"Your {(approve ? "approval" : "denial")} of {id} was recorded; more approvals are needed.",
                };
                break;
            case VoteResult.AlreadyDecided:
                Notice = $"Nothing changed: {id} was already decided, or you already voted.";
                break;
            case VoteResult.Rejected rejected:
                Problem = rejected.Reason;
                break;
            default:
                Problem = $"No request '{id}'.";
                break;
        }

        await LoadAsync(cancellationToken);
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        var policy = policies.Current;
        Now = time.GetUtcNow();
        var me = Caller.Id;
        var pending = await store.ListRequestsAsync(new RequestQuery(Status: RequestStatus.Pending), cancellationToken);
        var items = new List<Pending>();
        foreach (var request in pending.OrderBy(r => r.CreatedAt))
        {
            var target = policy.FindTarget(request.Target);
            var group = target is null ? null : policy.FindApproverGroup(target.ApproverGroup);
            if (group?.FindById(me) is null)
            {
                // Only the target's approver group sees a request: another group's approver sees nothing of it.
                continue;
            }

            var task = await store.GetTaskAsync(request.TaskId, cancellationToken);
            var agent = await store.GetPrincipalAsync(request.AgentId, cancellationToken);
            var agentOwner = PendingApprovals.AgentOwnerOf(request, policy, agent);
            var votes = await store.ListVotesAsync(request.Id, cancellationToken);
            var duration = request.Assessment?.GrantedDuration ?? request.RequestedDuration;
            string? cannotVote = task?.Owner == me ? "You started this task, so you cannot approve its requests."
                : agentOwner == me ? "You own the requesting agent, so you cannot approve its requests."
                : votes.Any(v => v.ApproverId == me) ? "You have voted; waiting for the other approvers."
                : null;
            items.Add(new Pending(
                request, task, agentOwner, group.Name, PendingApprovals.SensitivityOf(request, target), votes,
                request.Assessment?.Quorum ?? 1, votes.Where(v => v.Approve).Select(v => v.ApproverId).Distinct(StringComparer.Ordinal).Count(),
                duration, PendingApprovals.DeadlineOf(request, policy), cannotVote, ShorterChoices.Where(c => c < duration).ToList()));
        }

        Items = items;
    }

    /// <summary>One pending request as the approver sees it.</summary>
    /// <param name="CannotVote">Why this approver has no buttons (self-approval ban, already voted); null when they may vote.</param>
    public sealed record Pending(
        AccessRequest Request, BrokerTask? Task, string AgentOwner, string Group, Sensitivity Sensitivity, IReadOnlyList<ApprovalVote> Votes,
        int Quorum, int Approvals, TimeSpan Duration, DateTimeOffset Deadline, string? CannotVote, IReadOnlyList<TimeSpan> Shorter);
}
