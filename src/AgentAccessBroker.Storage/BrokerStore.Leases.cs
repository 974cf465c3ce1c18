using AgentAccessBroker.Audit;
using AgentAccessBroker.Domain;

namespace AgentAccessBroker.Storage;

public abstract partial class BrokerStore
{
    private const string LeaseColumns =
        "id AS Id, request_id AS RequestId, task_id AS TaskId, agent_id AS AgentId, target AS Target, provider AS Provider, " +
        "resources AS Resources, actions AS Actions, created_at AS CreatedAt, expires_at AS ExpiresAt, state AS State, " +
        "revocation_data AS RevocationData, revocation_attempts AS RevocationAttempts, last_error AS LastError, " +
        "next_attempt_at AS NextAttemptAt, revoked_at AS RevokedAt, verified_at AS VerifiedAt, due_at AS DueAt, usable_until AS UsableUntil";

    /// <summary>Inserts a lease row alone, in any state; the broker writes leases with its request or claim. For seeding tests.</summary>
    internal Task InsertLeaseAsync(Lease lease, CancellationToken cancellationToken) =>
        WriteAsync(scope => InsertLeaseAsync(scope, lease, cancellationToken), cancellationToken);

    /// <inheritdoc />
    public Task<bool> StartLeaseAsync(string requestId, RequestStatus expected, RequestUpdate claim, Lease lease, AuditEntry minting, CancellationToken cancellationToken) =>
        WriteAsync(
            async scope =>
            {
                // The issuance rule's store half, in the transaction that writes the lease row.
                await GuardIssuanceAsync(scope, lease.TaskId, cancellationToken);

                // Nothing is written unless the claim wins: a lost race leaves no lease row behind.
                if (!await TransitionRequestAsync(scope, requestId, expected, claim, cancellationToken))
                {
                    return false;
                }

                await InsertLeaseAsync(scope, lease, cancellationToken);
                await AppendAsync(scope, [minting], cancellationToken);
                return true;
            },
            cancellationToken);

    private static Task<int> InsertLeaseAsync(WriteScope scope, Lease lease, CancellationToken cancellationToken) =>
        ExecuteAsync(
            scope,
            """
            INSERT INTO aab_leases (id, request_id, task_id, agent_id, target, provider, resources, actions, created_at, expires_at, state,
                                    revocation_data, revocation_attempts, last_error, next_attempt_at, revoked_at, verified_at, due_at, usable_until)
            VALUES (@Id, @RequestId, @TaskId, @AgentId, @Target, @Provider, @Resources, @Actions, @CreatedAt, @ExpiresAt, @State,
                    @RevocationData, @RevocationAttempts, @LastError, @NextAttemptAt, @RevokedAt, @VerifiedAt, @DueAt, @UsableUntil)
            """,
            new
            {
                lease.Id,
                lease.RequestId,
                lease.TaskId,
                lease.AgentId,
                lease.Target,
                lease.Provider,
                Resources = StoredJson.Write(lease.Resources),
                Actions = StoredJson.Write(lease.Actions),
                CreatedAt = StoredTime.ToTicks(lease.CreatedAt),
                ExpiresAt = StoredTime.ToTicks(lease.ExpiresAt),
                State = StoredEnum<LeaseState>.ToText(lease.State),
                RevocationData = StoredJson.Write(lease.RevocationData),
                RevocationAttempts = (long)lease.RevocationAttempts,
                lease.LastError,
                NextAttemptAt = StoredTime.ToTicks(lease.NextAttemptAt),
                RevokedAt = StoredTime.ToTicks(lease.RevokedAt),
                VerifiedAt = StoredTime.ToTicks(lease.VerifiedAt),
                DueAt = StoredTime.ToTicks(lease.DueAt),
                UsableUntil = StoredTime.ToTicks(lease.UsableUntil),
            },
            cancellationToken);

    /// <inheritdoc />
    public async Task<Lease?> GetLeaseAsync(string id, CancellationToken cancellationToken) =>
        (await QuerySingleOrDefaultAsync<LeaseRow>($"SELECT {LeaseColumns} FROM aab_leases WHERE id = @Id", new { Id = id }, cancellationToken))?.ToLease();

    /// <inheritdoc />
    public async Task<IReadOnlyList<Lease>> ListLeasesAsync(LeaseQuery query, CancellationToken cancellationToken)
    {
        var filter = new SqlFilter()
            .Equal("agent_id", query.AgentId)
            .Equal("task_id", query.TaskId)
            .In("state", query.States?.Select(StoredEnum<LeaseState>.ToText));
        After(filter, query.After);
        return await QueryLeasesAsync(filter, query.Limit, cancellationToken);
    }

    /// <inheritdoc />
    public Task<bool> TransitionLeaseAsync(string id, IReadOnlyCollection<LeaseState> expected, LeaseUpdate update, CancellationToken cancellationToken) =>
        TransitionLeaseAsync(id, expected, update, [], cancellationToken);

    /// <inheritdoc />
    public Task<bool> TransitionLeaseAsync(
        string id, IReadOnlyCollection<LeaseState> expected, LeaseUpdate update, IReadOnlyList<AuditEntry> events, CancellationToken cancellationToken) =>
        TransitionLeaseAsync(id, expected, update, events, waitForDisk: true, cancellationToken);

    /// <inheritdoc />
    public Task<bool> ActivateLeaseAsync(string id, IReadOnlyDictionary<string, string> revocationData, AuditEntry minted, CancellationToken cancellationToken) =>
        TransitionLeaseAsync(id, [LeaseState.Minting], new LeaseUpdate(LeaseState.Active, revocationData), [minted], waitForDisk: false, cancellationToken);

    /// <inheritdoc />
    public Task<bool> StartRevocationAttemptAsync(
        string id, IReadOnlyCollection<LeaseState> expected, LeaseUpdate update, IReadOnlyList<AuditEntry> events, CancellationToken cancellationToken) =>
        TransitionLeaseAsync(id, expected, update, events, waitForDisk: false, cancellationToken);

    private async Task<bool> TransitionLeaseAsync(
        string id, IReadOnlyCollection<LeaseState> expected, LeaseUpdate update, IReadOnlyList<AuditEntry> events, bool waitForDisk, CancellationToken cancellationToken)
    {
        if (expected.Count == 0)
        {
            return false;
        }

        return await WriteAsync(
            async scope =>
            {
                if (!await UpdateLeaseAsync(scope, id, expected, update, cancellationToken))
                {
                    return false;
                }

                await AppendAsync(scope, events, cancellationToken);
                return true;
            },
            waitForDisk,
            cancellationToken);
    }

    /// <summary>The lease row's half of a transition, in <paramref name="scope"/>: false when the lease was in none of <paramref name="expected"/>.</summary>
    private static async Task<bool> UpdateLeaseAsync(
        WriteScope scope, string id, IReadOnlyCollection<LeaseState> expected, LeaseUpdate update, CancellationToken cancellationToken)
    {
        if (expected.Count == 0)
        {
            return false;
        }

        var filter = new SqlFilter().Equal("id", id).In("state", expected.Select(StoredEnum<LeaseState>.ToText));
        var p = filter.Parameters;
        p.Add("NewState", StoredEnum<LeaseState>.ToText(update.State));
        p.Add("RevocationData", update.RevocationData is null ? null : StoredJson.Write(update.RevocationData));
        p.Add("ExpiresAt", StoredTime.ToTicks(update.ExpiresAt));
        p.Add("RevocationAttempts", (long?)update.RevocationAttempts);
        p.Add("ClearLastError", update.ClearLastError ? 1L : 0L);
        p.Add("LastError", update.LastError);
        p.Add("NextAttemptAt", StoredTime.ToTicks(update.NextAttemptAt));
        p.Add("RevokedAt", StoredTime.ToTicks(update.RevokedAt));
        p.Add("VerifiedAt", StoredTime.ToTicks(update.VerifiedAt));
        p.Add("UsableUntil", StoredTime.ToTicks(update.UsableUntil));
        var sql = $"""
            UPDATE aab_leases
               SET state = @NewState,
                   revocation_data = COALESCE(@RevocationData, revocation_data),
                   expires_at = COALESCE(@ExpiresAt, expires_at),
                   revocation_attempts = COALESCE(@RevocationAttempts, revocation_attempts),
                   last_error = CASE WHEN @ClearLastError = 1 THEN NULL ELSE COALESCE(@LastError, last_error) END,
                   next_attempt_at = COALESCE(@NextAttemptAt, next_attempt_at),
                   revoked_at = COALESCE(@RevokedAt, revoked_at),
                   verified_at = COALESCE(@VerifiedAt, verified_at),
                   usable_until = COALESCE(@UsableUntil, usable_until)
            {filter.WhereClause}
            """;
        return await ExecuteAsync(scope, sql, p, cancellationToken) == 1;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<Lease>> ListDueLeasesAsync(DateTimeOffset now, DateTimeOffset mintingStaleBefore, int limit, CancellationToken cancellationToken)
    {
        var filter = new SqlFilter();
        var nowTicks = filter.Bind(StoredTime.ToTicks(now));
        var stale = filter.Bind(StoredTime.ToTicks(mintingStaleBefore));
        string State(LeaseState state) => "@" + filter.Bind(StoredEnum<LeaseState>.ToText(state));

        // Branches each served by an index on (state, time column); the last is the cut-off's mark (task ended,
        // agent or task locked or disabled), which makes a live lease due whatever its own end.
        filter.Where(
            $"""
             ((state = {State(LeaseState.Active)} AND expires_at <= @{nowTicks})
              OR (state IN ({State(LeaseState.Revoking)}, {State(LeaseState.RevocationFailed)}) AND (next_attempt_at IS NULL OR next_attempt_at <= @{nowTicks}))
              OR (state = {State(LeaseState.Minting)} AND created_at < @{stale})
              OR (state IN ({State(LeaseState.Active)}, {State(LeaseState.Minting)}) AND due_at <= @{nowTicks}))
             """);
        return QueryLeasesAsync(filter, limit, cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<Lease>> ListRechecksDueAsync(DateTimeOffset now, DateTimeOffset verifiedBefore, int limit, CancellationToken cancellationToken)
    {
        // Served by the index on (state, usable_until): only revoked leases (and rolled-back mints) whose credential is
        // still valid are read, however many ended leases the table holds.
        var filter = new SqlFilter();
        var nowTicks = filter.Bind(StoredTime.ToTicks(now));
        var before = filter.Bind(StoredTime.ToTicks(verifiedBefore));
        var revoked = filter.Bind(StoredEnum<LeaseState>.ToText(LeaseState.Revoked));
        var mintFailed = filter.Bind(StoredEnum<LeaseState>.ToText(LeaseState.MintFailed));
        filter.Where($"state IN (@{revoked}, @{mintFailed}) AND usable_until > @{nowTicks} AND (verified_at IS NULL OR verified_at < @{before})");
        return QueryLeasesAsync(filter, limit, cancellationToken);
    }

    /// <summary>Restricts a (created_at, id)-ordered listing to the rows after <paramref name="cursor"/>.</summary>
    private static void After(SqlFilter filter, string? cursor)
    {
        if (cursor is null)
        {
            return;
        }

        var (createdAt, id) = ListCursor.Parse(cursor);
        var at = filter.Bind(StoredTime.ToTicks(createdAt));
        filter.Where($"(created_at > @{at} OR (created_at = @{at} AND id > @{filter.Bind(id)}))");
    }

    private async Task<IReadOnlyList<Lease>> QueryLeasesAsync(SqlFilter filter, int limit, CancellationToken cancellationToken)
    {
        var rows = await QueryAsync<LeaseRow>(
            $"SELECT {LeaseColumns} FROM aab_leases{filter.WhereClause} ORDER BY created_at, id LIMIT @{filter.Bind((long)limit)}",
            filter.Parameters,
            cancellationToken);
        return rows.Select(r => r.ToLease()).ToList();
    }

    private sealed class LeaseRow
    {
        public string Id { get; set; } = string.Empty;

        public string RequestId { get; set; } = string.Empty;

        public string TaskId { get; set; } = string.Empty;

        public string AgentId { get; set; } = string.Empty;

        public string Target { get; set; } = string.Empty;

        public string Provider { get; set; } = string.Empty;

        public string Resources { get; set; } = "[]";

        public string Actions { get; set; } = "[]";

        public long CreatedAt { get; set; }

        public long ExpiresAt { get; set; }

        public string State { get; set; } = string.Empty;

        public string RevocationData { get; set; } = "{}";

        public long RevocationAttempts { get; set; }

        public string? LastError { get; set; }

        public long? NextAttemptAt { get; set; }

        public long? RevokedAt { get; set; }

        public long? VerifiedAt { get; set; }

        public long? DueAt { get; set; }

        public long? UsableUntil { get; set; }

        public Lease ToLease() => new(
            Id,
            RequestId,
            TaskId,
            AgentId,
            Target,
            Provider,
            StoredJson.Read<List<string>>(Resources),
            StoredJson.Read<List<string>>(Actions),
            StoredTime.FromTicks(CreatedAt),
            StoredTime.FromTicks(ExpiresAt),
            StoredEnum<LeaseState>.Parse(State),
            StoredJson.Read<Dictionary<string, string>>(RevocationData),
            checked((int)RevocationAttempts),
            LastError,
            StoredTime.FromTicks(NextAttemptAt),
            StoredTime.FromTicks(RevokedAt),
            StoredTime.FromTicks(VerifiedAt))
        {
            DueAt = StoredTime.FromTicks(DueAt),
            UsableUntil = StoredTime.FromTicks(UsableUntil),
        };
    }
}
