using System.Collections.Concurrent;
using AgentAccessBroker.Approvals;

using Xunit;

namespace AgentAccessBroker.Testing.Fakes;

/// <summary>
/// Just enough of the approval desk's rules, in memory, to drive one chat channel's flow (Slack, Teams): approver-group
/// membership by the channel's user id, no self-approval by the task or agent owner, deny wins, quorum of distinct
/// approvers, one decision only. The real desk (durable, race-tested against the store) belongs to the server.
/// </summary>
/// <param name="channel">The one channel this desk serves; a lookup for another channel fails the test.</param>
public sealed class InMemoryApprovalDesk(TimeProvider time, string channel, Signal? changed = null) : IApprovalDesk
{
    private readonly string _channel = channel;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Pending> _requests = new(StringComparer.Ordinal);

    public ConcurrentQueue<VoteCall> VoteCalls { get; } = new();

    public ConcurrentQueue<VoteResult> Results { get; } = new();

    public ConcurrentQueue<(string RequestId, string ExternalUserId)> Lookups { get; } = new();

    /// <summary>When set, every vote waits for it: proves that the channel is answered without waiting on the desk.</summary>
    public TaskCompletionSource? Gate { get; set; }

    public Signal Changed { get; } = changed ?? new Signal();

    public int Decisions => Results.Count(r => r is VoteResult.Recorded { Status.Outcome: not null });

    /// <param name="approvers">Each approver's user id on the channel, and their broker id.</param>
    public void Add(string requestId, string taskOwner, string agentOwner, int quorum, params (string ExternalUserId, string ApproverId)[] approvers)
    {
        lock (_gate)
        {
            _requests[requestId] = new Pending(taskOwner, agentOwner, quorum, approvers.ToDictionary(a => a.ExternalUserId, a => a.ApproverId));
        }
    }

    public ApprovalStatus Expire(string requestId)
    {
        lock (_gate)
        {
            var pending = _requests[requestId];
            pending.Outcome ??= ApprovalOutcome.Expired;
            pending.DecidedAt ??= time.GetUtcNow();
            return pending.Status();
        }
    }

    public Task<string?> FindApproverAsync(string requestId, string channel, string externalUserId, CancellationToken cancellationToken)
    {
        Assert.Equal(_channel, channel);
        Lookups.Enqueue((requestId, externalUserId));
        Changed.Pulse();
        lock (_gate)
        {
            return Task.FromResult(
                _requests.TryGetValue(requestId, out var pending) && pending.Approvers.TryGetValue(externalUserId, out var approver)
                    ? approver
                    : null);
        }
    }

    public async Task<VoteResult> VoteAsync(
        string requestId, string approverId, bool approve, string channel, string? channelIdentity, TimeSpan? shortenTo, string? comment, CancellationToken cancellationToken)
    {
        VoteCalls.Enqueue(new VoteCall(requestId, approverId, approve, channel, channelIdentity, shortenTo));
        Changed.Pulse();
        if (Gate is { } gate)
        {
            await gate.Task.WaitAsync(cancellationToken);
        }

        VoteResult result;
        lock (_gate)
        {
            result = Decide(requestId, approverId, approve, channel, channelIdentity, shortenTo, comment);
        }

        Results.Enqueue(result);
        Changed.Pulse();
        return result;
    }

    private VoteResult Decide(
        string requestId, string approverId, bool approve, string channel, string? channelIdentity, TimeSpan? shortenTo, string? comment)
    {
        if (!_requests.TryGetValue(requestId, out var pending))
        {
            return new VoteResult.NotFound();
        }

        if (!pending.Approvers.ContainsValue(approverId))
        {
            return new VoteResult.Rejected("not_an_approver", "You are not in the approver group of this request.");
        }

        if (approve && (approverId == pending.TaskOwner || approverId == pending.AgentOwner))
        {
            return new VoteResult.Rejected("self_approval", "You own this task or its agent, so you cannot approve it.");
        }

        if (pending.Outcome is not null || pending.Votes.Any(v => v.ApproverId == approverId))
        {
            return new VoteResult.AlreadyDecided(pending.Status());
        }

        var now = time.GetUtcNow();
        pending.Votes.Add(new ApprovalVote(requestId, approverId, approve, channel, channelIdentity, shortenTo, comment, now));
        if (!approve)
        {
            pending.Outcome = ApprovalOutcome.Denied;
            pending.DecidedAt = now;
        }
        else if (pending.Votes.Count(v => v.Approve) >= pending.Quorum)
        {
            pending.Outcome = ApprovalOutcome.Approved;
            pending.DecidedAt = now;
        }

        return new VoteResult.Recorded(pending.Status());
    }

    public sealed record VoteCall(string RequestId, string ApproverId, bool Approve, string Channel, string? ChannelIdentity, TimeSpan? ShortenTo);

    private sealed class Pending(string taskOwner, string agentOwner, int quorum, Dictionary<string, string> approvers)
    {
        public string TaskOwner { get; } = taskOwner;

        public string AgentOwner { get; } = agentOwner;

        public int Quorum { get; } = quorum;

        public Dictionary<string, string> Approvers { get; } = approvers;

        public List<ApprovalVote> Votes { get; } = [];

        public ApprovalOutcome? Outcome { get; set; }

        public DateTimeOffset? DecidedAt { get; set; }

        public ApprovalStatus Status() => new(Votes.ToList(), Outcome, DecidedAt);
    }
}
