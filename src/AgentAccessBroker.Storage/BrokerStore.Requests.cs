using AgentAccessBroker.Approvals;
using AgentAccessBroker.Audit;
using AgentAccessBroker.Decisions;
using AgentAccessBroker.Domain;

namespace AgentAccessBroker.Storage;

public abstract partial class BrokerStore
{
    private const string RequestColumns =
        "id AS Id, agent_id AS AgentId, task_id AS TaskId, target AS Target, resources AS Resources, actions AS Actions, " +
        "purpose AS Purpose, requested_duration AS RequestedDuration, created_at AS CreatedAt, status AS Status, " +
        "assessment AS Assessment, granted_duration AS GrantedDuration, decided_at AS DecidedAt, lease_id AS LeaseId";

    private const string VoteColumns =
        "request_id AS RequestId, approver_id AS ApproverId, approve AS Approve, channel AS Channel, " +
        "channel_identity AS ChannelIdentity, duration AS Duration, comment AS Comment, voted_at AS VotedAt";

    /// <summary>Inserts a request row alone; the broker records requests with <see cref="RecordRequestAsync"/>. For seeding tests.</summary>
    internal Task CreateRequestAsync(AccessRequest request, CancellationToken cancellationToken) =>
        WriteAsync(scope => InsertRequestAsync(scope, request, cancellationToken), cancellationToken);

    /// <inheritdoc />
    public Task RecordRequestAsync(
        AccessRequest request, Func<BehaviourHistory, BehaviourHistory> history, Lease? lease, IReadOnlyList<AuditEntry> events, CancellationToken cancellationToken) =>
        WriteAsync(
            async scope =>
            {
                // A request that arrives with its lease (granted at once) passes the issuance guard in this transaction.
                if (lease is not null)
                {
                    await GuardIssuanceAsync(scope, request.TaskId, cancellationToken);
                }

                await InsertRequestAsync(scope, request, cancellationToken);
                await UpdateHistoryAsync(scope, request.AgentId, request.TaskId, history, cancellationToken);
                if (lease is not null)
                {
                    await InsertLeaseAsync(scope, lease, cancellationToken);
                }

                return await AppendAsync(scope, events, cancellationToken);
            },
            cancellationToken);

    private static Task<int> InsertRequestAsync(WriteScope scope, AccessRequest request, CancellationToken cancellationToken) =>
        ExecuteAsync(
            scope,
            """
            INSERT INTO aab_requests (id, agent_id, task_id, target, resources, actions, purpose, requested_duration, created_at,
                                      status, assessment, granted_duration, decided_at, lease_id)
            VALUES (@Id, @AgentId, @TaskId, @Target, @Resources, @Actions, @Purpose, @RequestedDuration, @CreatedAt,
                    @Status, @Assessment, @GrantedDuration, @DecidedAt, @LeaseId)
            """,
            new
            {
                request.Id,
                request.AgentId,
                request.TaskId,
                request.Target,
                Resources = StoredJson.Write(request.Resources),
                Actions = StoredJson.Write(request.Actions),
                request.Purpose,
                RequestedDuration = request.RequestedDuration.Ticks,
                CreatedAt = StoredTime.ToTicks(request.CreatedAt),
                Status = StoredEnum<RequestStatus>.ToText(request.Status),
                Assessment = request.Assessment is null ? null : StoredJson.Write(request.Assessment),
                GrantedDuration = StoredTime.ToTicks(request.GrantedDuration),
                DecidedAt = StoredTime.ToTicks(request.DecidedAt),
                request.LeaseId,
            },
            cancellationToken);

    /// <inheritdoc />
    public async Task<AccessRequest?> GetRequestAsync(string id, CancellationToken cancellationToken) =>
        (await QuerySingleOrDefaultAsync<RequestRow>($"SELECT {RequestColumns} FROM aab_requests WHERE id = @Id", new { Id = id }, cancellationToken))?.ToRequest();

    /// <inheritdoc />
    public async Task<IReadOnlyList<AccessRequest>> ListRequestsAsync(RequestQuery query, CancellationToken cancellationToken)
    {
        var filter = new SqlFilter()
            .Equal("agent_id", query.AgentId)
            .Equal("task_id", query.TaskId)
            .Equal("status", query.Status is { } s ? StoredEnum<RequestStatus>.ToText(s) : null);
        After(filter, query.After);
        var rows = await QueryAsync<RequestRow>(
            $"SELECT {RequestColumns} FROM aab_requests{filter.WhereClause} ORDER BY created_at, id LIMIT @{filter.Bind((long)query.Limit)}",
            filter.Parameters,
            cancellationToken);
        return rows.Select(r => r.ToRequest()).ToList();
    }

    /// <inheritdoc />
    public Task<bool> TransitionRequestAsync(string id, RequestStatus expected, RequestUpdate update, CancellationToken cancellationToken) =>
        TransitionRequestAsync(id, expected, update, [], cancellationToken);

    /// <inheritdoc />
    public Task<bool> TransitionRequestAsync(string id, RequestStatus expected, RequestUpdate update, IReadOnlyList<AuditEntry> events, CancellationToken cancellationToken) =>
        WriteAsync(
            async scope =>
            {
                if (!await TransitionRequestAsync(scope, id, expected, update, cancellationToken))
                {
                    return false;
                }

                await AppendAsync(scope, events, cancellationToken);
                return true;
            },
            cancellationToken);

    private static async Task<bool> TransitionRequestAsync(WriteScope scope, string id, RequestStatus expected, RequestUpdate update, CancellationToken cancellationToken) =>
        await ExecuteAsync(
            scope,
            """
            UPDATE aab_requests
               SET status = @Status,
                   decided_at = @At,
                   assessment = COALESCE(@Assessment, assessment),
                   granted_duration = COALESCE(@GrantedDuration, granted_duration),
                   lease_id = COALESCE(@LeaseId, lease_id)
             WHERE id = @Id AND status = @Expected
            """,
            new
            {
                Id = id,
                Expected = StoredEnum<RequestStatus>.ToText(expected),
                Status = StoredEnum<RequestStatus>.ToText(update.Status),
                At = StoredTime.ToTicks(update.At),
                Assessment = update.Assessment is null ? null : StoredJson.Write(update.Assessment),
                GrantedDuration = StoredTime.ToTicks(update.GrantedDuration),
                update.LeaseId,
            },
            cancellationToken) == 1;

    /// <inheritdoc />
    public async Task<bool> AddVoteAsync(ApprovalVote vote, CancellationToken cancellationToken) =>
        await WriteAsync(scope => InsertVoteAsync(scope, vote, cancellationToken), cancellationToken) == 1;

    private static Task<int> InsertVoteAsync(WriteScope scope, ApprovalVote vote, CancellationToken cancellationToken) =>
        ExecuteAsync(
            scope,
            """
            INSERT INTO aab_approval_votes (request_id, approver_id, approve, channel, channel_identity, duration, comment, voted_at)
            VALUES (@RequestId, @ApproverId, @Approve, @Channel, @ChannelIdentity, @Duration, @Comment, @VotedAt)
            ON CONFLICT (request_id, approver_id) DO NOTHING
            """,
            new
            {
                vote.RequestId,
                vote.ApproverId,
                Approve = vote.Approve ? 1L : 0L,
                vote.Channel,
                vote.ChannelIdentity,
                Duration = StoredTime.ToTicks(vote.Duration),
                vote.Comment,
                VotedAt = StoredTime.ToTicks(vote.At),
            },
            cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<ApprovalVote>> ListVotesAsync(string requestId, CancellationToken cancellationToken) =>
        (await QueryAsync<VoteRow>(
            $"SELECT {VoteColumns} FROM aab_approval_votes WHERE request_id = @RequestId ORDER BY voted_at, approver_id",
            new { RequestId = requestId },
            cancellationToken)).Select(r => r.ToVote()).ToList();

    private sealed class RequestRow
    {
        public string Id { get; set; } = string.Empty;

        public string AgentId { get; set; } = string.Empty;

        public string TaskId { get; set; } = string.Empty;

        public string Target { get; set; } = string.Empty;

        public string Resources { get; set; } = "[]";

        public string Actions { get; set; } = "[]";

        public string Purpose { get; set; } = string.Empty;

        public long RequestedDuration { get; set; }

        public long CreatedAt { get; set; }

        public string Status { get; set; } = string.Empty;

        public string? Assessment { get; set; }

        public long? GrantedDuration { get; set; }

        public long? DecidedAt { get; set; }

        public string? LeaseId { get; set; }

        public AccessRequest ToRequest() => new(
            Id,
            AgentId,
            TaskId,
            Target,
            StoredJson.Read<List<string>>(Resources),
            StoredJson.Read<List<string>>(Actions),
            Purpose,
            TimeSpan.FromTicks(RequestedDuration),
            StoredTime.FromTicks(CreatedAt),
            StoredEnum<RequestStatus>.Parse(Status),
            StoredJson.ReadOptional<Assessment>(Assessment),
            StoredTime.DurationFromTicks(GrantedDuration),
            StoredTime.FromTicks(DecidedAt),
            LeaseId);
    }

    private sealed class VoteRow
    {
        public string RequestId { get; set; } = string.Empty;

        public string ApproverId { get; set; } = string.Empty;

        public long Approve { get; set; }

        public string Channel { get; set; } = string.Empty;

        public string? ChannelIdentity { get; set; }

        public long? Duration { get; set; }

        public string? Comment { get; set; }

        public long VotedAt { get; set; }

        public ApprovalVote ToVote() => new(
            RequestId, ApproverId, Approve == 1, Channel, ChannelIdentity, StoredTime.DurationFromTicks(Duration), Comment, StoredTime.FromTicks(VotedAt));
    }
}
