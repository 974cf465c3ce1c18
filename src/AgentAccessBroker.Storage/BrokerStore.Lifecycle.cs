using AgentAccessBroker.Approvals;
using AgentAccessBroker.Audit;
using AgentAccessBroker.Brokering;
using AgentAccessBroker.Domain;
using Dapper;

namespace AgentAccessBroker.Storage;

public abstract partial class BrokerStore
{
    // Events per INSERT statement: well under SQLite's and PostgreSQL's bound-parameter limits (11 per event).
    private const int AuditChunk = 1000;

    /// <summary>Appended to a SELECT that must share-lock the rows it reads until the transaction ends.</summary>
    private protected abstract string ForShare { get; }

    /// <inheritdoc />
    public Task CreatePrincipalAsync(Principal principal, string tokenHash, AuditEntry registered, CancellationToken cancellationToken) =>
        WriteAsync(
            async scope =>
            {
                await InsertPrincipalAsync(scope, principal, tokenHash, cancellationToken);
                return await AppendAsync(scope, [registered], cancellationToken);
            },
            cancellationToken);

    /// <inheritdoc />
    public Task<CutOff?> SetPrincipalStatusAsync(
        string id, PrincipalStatus status, DateTimeOffset at, string actor, AuditEntry changed, CancellationToken cancellationToken) =>
        WriteAsync(
            async scope =>
            {
                // The row lock makes every grant to this agent in flight finish first, and every later one see the new status.
                if (!await RowExistsAsync(scope, "aab_principals", id, cancellationToken))
                {
                    return (CutOff?)null;
                }

                await ExecuteAsync(
                    scope,
                    status == PrincipalStatus.Removed
                        ? "UPDATE aab_principals SET status = @Status, token_hash = @Gone, token_expires_at = NULL WHERE id = @Id"
                        : "UPDATE aab_principals SET status = @Status WHERE id = @Id",
                    new { Id = id, Status = StoredEnum<PrincipalStatus>.ToText(status), Gone = "removed:" + id },
                    cancellationToken);
                var (cut, events) = status == PrincipalStatus.Enabled
                    ? (CutOff.None, [])
                    : await CutOffAsync(scope, "agent_id", id, at, actor, $"principal {StoredEnum<PrincipalStatus>.ToText(status)}", cancellationToken);
                await AppendChunkedAsync(scope, [changed, .. events], cancellationToken);
                return cut;
            },
            cancellationToken);

    /// <inheritdoc />
    public Task<bool> ReplaceTokenAsync(string id, string tokenHash, DateTimeOffset? expiresAt, AuditEntry rotated, CancellationToken cancellationToken) =>
        WriteAsync(
            async scope =>
            {
                if (await ExecuteAsync(
                        scope,
                        "UPDATE aab_principals SET token_hash = @TokenHash, token_expires_at = @ExpiresAt WHERE id = @Id AND status = @Enabled",
                        new { Id = id, TokenHash = tokenHash, ExpiresAt = StoredTime.ToTicks(expiresAt), Enabled = StoredEnum<PrincipalStatus>.ToText(PrincipalStatus.Enabled) },
                        cancellationToken) != 1)
                {
                    return false;
                }

                await AppendAsync(scope, [rotated], cancellationToken);
                return true;
            },
            cancellationToken);

    /// <inheritdoc />
    public Task CreateTaskAsync(BrokerTask task, string taskTokenHash, AuditEntry started, CancellationToken cancellationToken) =>
        WriteAsync(
            async scope =>
            {
                await InsertTaskAsync(scope, task, taskTokenHash, cancellationToken);
                return await AppendAsync(scope, [started], cancellationToken);
            },
            cancellationToken);

    /// <inheritdoc />
    public Task<TaskEnding> EndTaskAsync(string id, TaskState end, DateTimeOffset at, string actor, string reason, CancellationToken cancellationToken)
    {
        if (end == TaskState.Active)
        {
            throw new ArgumentOutOfRangeException(nameof(end), end, "A task ends in completed, cancelled or expired.");
        }

        return WriteAsync(
            async scope =>
            {
                // The task row's lock orders this transaction against every grant under the task: a grant either
                // committed before (and its lease is marked below) or waits and then sees the task ended.
                var row = (await QueryInScopeAsync<TaskRow>(scope, $"SELECT {TaskColumns} FROM aab_tasks WHERE id = @Id{ForUpdate}", new { Id = id }, cancellationToken))
                    .SingleOrDefault();
                if (row is null)
                {
                    return new TaskEnding(null, false, CutOff.None);
                }

                var task = row.ToTask();
                var endedNow = task.State == TaskState.Active;
                if (endedNow)
                {
                    await ExecuteAsync(
                        scope,
                        "UPDATE aab_tasks SET state = @End, completed_at = @At WHERE id = @Id",
                        new { Id = id, End = StoredEnum<TaskState>.ToText(end), At = StoredTime.ToTicks(at) },
                        cancellationToken);
                    task = task with { State = end, CompletedAt = at };
                }

                var (cut, events) = await CutOffAsync(scope, "task_id", id, at, actor, reason, cancellationToken);
                List<AuditEntry> all = endedNow ? [AuditEntries.TaskEnded(actor, task, end, reason, cut.MarkedDue, cut.Withdrawn.Count), .. events] : events;
                await AppendChunkedAsync(scope, all, cancellationToken);
                return new TaskEnding(task, endedNow, cut);
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<BrokerTask>> ListOverdueTasksAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken) =>
        (await QueryAsync<TaskRow>(
            $"SELECT {TaskColumns} FROM aab_tasks WHERE state = @Active AND deadline IS NOT NULL AND deadline <= @Now ORDER BY deadline, id LIMIT @Limit",
            new { Active = StoredEnum<TaskState>.ToText(TaskState.Active), Now = StoredTime.ToTicks(now), Limit = (long)limit },
            cancellationToken)).Select(r => r.ToTask()).ToList();

    /// <inheritdoc />
    public Task<CutOff> CreateLockAsync(AccessLock accessLock, AuditEntry created, CancellationToken cancellationToken) =>
        WriteAsync(
            async scope =>
            {
                // Lock the subject's row first, as the issuance guard share-locks it: grants in flight finish before
                // the lock (and are cut off below), later ones wait and then see the lock.
                await RowExistsAsync(scope, accessLock.Kind == LockSubject.Task ? "aab_tasks" : "aab_principals", accessLock.Subject, cancellationToken);
                await ExecuteAsync(
                    scope,
                    "INSERT INTO aab_locks (id, kind, subject, reason, created_by, created_at, lifted_at) VALUES (@Id, @Kind, @Subject, @Reason, @CreatedBy, @CreatedAt, NULL)",
                    new
                    {
                        accessLock.Id,
                        Kind = StoredEnum<LockSubject>.ToText(accessLock.Kind),
                        accessLock.Subject,
                        accessLock.Reason,
                        accessLock.CreatedBy,
                        CreatedAt = StoredTime.ToTicks(accessLock.CreatedAt),
                    },
                    cancellationToken);
                var why = $"lock {accessLock.Id}: {accessLock.Reason}";
                var (cut, events) = accessLock.Kind switch
                {
                    LockSubject.Agent => await CutOffAsync(scope, "agent_id", accessLock.Subject, accessLock.CreatedAt, accessLock.CreatedBy, why, cancellationToken),
                    LockSubject.Task => await CutOffAsync(scope, "task_id", accessLock.Subject, accessLock.CreatedAt, accessLock.CreatedBy, why, cancellationToken),
                    _ => (CutOff.None, []),
                };
                await AppendChunkedAsync(scope, [created, .. events], cancellationToken);
                return cut;
            },
            cancellationToken);

    /// <inheritdoc />
    public Task<bool> LiftLockAsync(string id, DateTimeOffset at, AuditEntry lifted, CancellationToken cancellationToken) =>
        WriteAsync(
            async scope =>
            {
                if (await ExecuteAsync(scope, "UPDATE aab_locks SET lifted_at = @At WHERE id = @Id AND lifted_at IS NULL", new { Id = id, At = StoredTime.ToTicks(at) }, cancellationToken) != 1)
                {
                    return false;
                }

                await AppendAsync(scope, [lifted], cancellationToken);
                return true;
            },
            cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<AccessLock>> ListLocksAsync(bool includeLifted, CancellationToken cancellationToken) =>
        (await QueryAsync<LockRow>(
            "SELECT id AS Id, kind AS Kind, subject AS Subject, reason AS Reason, created_by AS CreatedBy, created_at AS CreatedAt, lifted_at AS LiftedAt FROM aab_locks" +
            (includeLifted ? string.Empty : " WHERE lifted_at IS NULL") + " ORDER BY created_at, id",
            null,
            cancellationToken)).Select(r => r.ToLock()).ToList();

    /// <inheritdoc />
    public Task<bool> AddVoteAsync(ApprovalVote vote, AuditEntry voted, CancellationToken cancellationToken) =>
        WriteAsync(
            async scope =>
            {
                if (await InsertVoteAsync(scope, vote, cancellationToken) != 1)
                {
                    return false;
                }

                await AppendAsync(scope, [voted], cancellationToken);
                return true;
            },
            cancellationToken);

    /// <summary>
    /// Inside a transaction that writes a lease row: refuses (throwing the issuance rule's <see cref="BrokerError"/>,
    /// which rolls the transaction back) unless the task is active and before its deadline, its agent is enabled, and
    /// no lock names the agent or the task. The share locks on the task and agent rows order this check against every
    /// cut-off of either.
    /// </summary>
    private protected async Task GuardIssuanceAsync(WriteScope scope, string taskId, CancellationToken cancellationToken)
    {
        var (found, state, deadline, agentId, status) = await QueryRowAsync(
            scope,
            "SELECT t.state, t.deadline, t.agent_id, p.status FROM aab_tasks t JOIN aab_principals p ON p.id = t.agent_id WHERE t.id = @TaskId" + ForShare,
            new { TaskId = taskId },
            r => (true, r.GetString(0), r.IsDBNull(1) ? (long?)null : r.GetInt64(1), r.GetString(2), r.GetString(3)),
            (false, string.Empty, (long?)null, string.Empty, string.Empty),
            cancellationToken);
        var now = _timeProvider.GetUtcNow();
        if (!found || StoredEnum<TaskState>.Parse(state) != TaskState.Active)
        {
            throw IssuanceRefusals.TaskNotActive(taskId, found ? StoredEnum<TaskState>.Parse(state) : TaskState.Completed);
        }

        if (StoredTime.FromTicks(deadline) is { } d && d <= now)
        {
            throw IssuanceRefusals.TaskNotActive(taskId, TaskState.Expired);
        }

        if (StoredEnum<PrincipalStatus>.Parse(status) != PrincipalStatus.Enabled)
        {
            throw IssuanceRefusals.AgentDisabled(agentId);
        }

        var lockKind = await QueryRowAsync(
            scope,
            "SELECT kind FROM aab_locks WHERE lifted_at IS NULL AND ((kind = @Task AND subject = @TaskId) OR (kind = @Agent AND subject = @AgentId)) LIMIT 1",
            new { Task = StoredEnum<LockSubject>.ToText(LockSubject.Task), TaskId = taskId, Agent = StoredEnum<LockSubject>.ToText(LockSubject.Agent), AgentId = agentId },
            r => r.GetString(0),
            string.Empty,
            cancellationToken);
        if (lockKind.Length > 0)
        {
            throw IssuanceRefusals.Locked(StoredEnum<LockSubject>.Parse(lockKind), lockKind == "task" ? taskId : agentId);
        }
    }

    /// <summary>
    /// Withdraws every pending or approved request and marks every active or minting lease due whose
    /// <paramref name="column"/> (<c>task_id</c> or <c>agent_id</c>, never caller text) is <paramref name="value"/>,
    /// and returns the audit events for each. Rows are locked in (created, id) order, the same in every cut-off.
    /// </summary>
    private async Task<(CutOff CutOff, List<AuditEntry> Events)> CutOffAsync(
        WriteScope scope, string column, string value, DateTimeOffset at, string actor, string why, CancellationToken cancellationToken)
    {
        var pending = StoredEnum<RequestStatus>.ToText(RequestStatus.Pending);
        var approved = StoredEnum<RequestStatus>.ToText(RequestStatus.Approved);
        var requests = (await QueryInScopeAsync<RequestRow>(
            scope,
            $"SELECT {RequestColumns} FROM aab_requests WHERE {column} = @Value AND status IN (@Pending, @Approved) ORDER BY created_at, id{ForUpdate}",
            new { Value = value, Pending = pending, Approved = approved },
            cancellationToken)).Select(r => r.ToRequest()).ToList();
        if (requests.Count > 0)
        {
            await ExecuteAsync(
                scope,
                $"UPDATE aab_requests SET status = @Withdrawn, decided_at = @At WHERE {column} = @Value AND status IN (@Pending, @Approved)",
                new { Value = value, Pending = pending, Approved = approved, Withdrawn = StoredEnum<RequestStatus>.ToText(RequestStatus.Withdrawn), At = StoredTime.ToTicks(at) },
                cancellationToken);
        }

        var dueStates = new { Value = value, Active = StoredEnum<LeaseState>.ToText(LeaseState.Active), Minting = StoredEnum<LeaseState>.ToText(LeaseState.Minting), At = StoredTime.ToTicks(at) };
        var leases = (await QueryInScopeAsync<LeaseRow>(
            scope,
            $"SELECT {LeaseColumns} FROM aab_leases WHERE {column} = @Value AND state IN (@Active, @Minting) AND (due_at IS NULL OR due_at > @At) ORDER BY created_at, id{ForUpdate}",
            dueStates,
            cancellationToken)).Select(r => r.ToLease()).ToList();
        if (leases.Count > 0)
        {
            await ExecuteAsync(
                scope,
                $"UPDATE aab_leases SET due_at = @At WHERE {column} = @Value AND state IN (@Active, @Minting) AND (due_at IS NULL OR due_at > @At)",
                dueStates,
                cancellationToken);
        }

        var events = new List<AuditEntry>(requests.Count + leases.Count);
        events.AddRange(requests.Select(r => AuditEntries.RequestDecided(actor, r, RequestStatus.Withdrawn, null, why)));
        events.AddRange(leases.Select(l => AuditEntries.Lease(AuditEventType.LeaseMarkedDue, actor, l with { DueAt = at }, why)));
        return (new CutOff(requests, leases.Count), events);
    }

    private async Task AppendChunkedAsync(WriteScope scope, IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken)
    {
        for (var i = 0; i < entries.Count; i += AuditChunk)
        {
            await AppendAsync(scope, entries.Skip(i).Take(AuditChunk).ToList(), cancellationToken);
        }
    }

    /// <summary>Locks one row of <paramref name="table"/> by id for the rest of the transaction; false when it does not exist.</summary>
    private async Task<bool> RowExistsAsync(WriteScope scope, string table, string id, CancellationToken cancellationToken) =>
        await QueryRowAsync(scope, $"SELECT id FROM {table} WHERE id = @Id{ForUpdate}", new { Id = id }, _ => true, false, cancellationToken);

    private static async Task<IReadOnlyList<T>> QueryInScopeAsync<T>(WriteScope scope, string sql, object? parameters, CancellationToken cancellationToken) =>
        scope.Statements is { } prepared
            ? prepared.Query<T>(sql, parameters, scope.Transaction)
            : (await scope.Connection.QueryAsync<T>(Command(sql, parameters, scope.Transaction, cancellationToken))).AsList();

    private sealed class LockRow
    {
        public string Id { get; set; } = string.Empty;

        public string Kind { get; set; } = string.Empty;

        public string Subject { get; set; } = string.Empty;

        public string Reason { get; set; } = string.Empty;

        public string CreatedBy { get; set; } = string.Empty;

        public long CreatedAt { get; set; }

        public long? LiftedAt { get; set; }

        public AccessLock ToLock() => new(Id, StoredEnum<LockSubject>.Parse(Kind), Subject, Reason, CreatedBy, StoredTime.FromTicks(CreatedAt), StoredTime.FromTicks(LiftedAt));
    }
}
