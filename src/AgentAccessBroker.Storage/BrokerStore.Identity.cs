using AgentAccessBroker.Domain;

namespace AgentAccessBroker.Storage;

public abstract partial class BrokerStore
{
    private const string PrincipalColumns =
        "id AS Id, roles AS Roles, owner AS Owner, created_at AS CreatedAt, status AS Status, token_expires_at AS TokenExpiresAt, " +
        "CAST(CASE WHEN EXISTS (SELECT 1 FROM aab_locks l WHERE l.subject = aab_principals.id AND l.kind IN ('agent', 'user') AND l.lifted_at IS NULL) " +
        "THEN 1 ELSE 0 END AS bigint) AS Locked";

    private const string TaskColumns =
        "id AS Id, description AS Description, owner AS Owner, agent_id AS AgentId, scope_hints AS ScopeHints, " +
        "environment AS Environment, created_at AS CreatedAt, deadline AS Deadline, state AS State, completed_at AS CompletedAt";

    /// <inheritdoc />
    public Task CreatePrincipalAsync(Principal principal, string tokenHash, CancellationToken cancellationToken) =>
        WriteAsync(scope => InsertPrincipalAsync(scope, principal, tokenHash, cancellationToken), cancellationToken);

    private static Task<int> InsertPrincipalAsync(WriteScope scope, Principal principal, string tokenHash, CancellationToken cancellationToken) =>
        ExecuteAsync(
            scope,
            "INSERT INTO aab_principals (id, roles, owner, token_hash, created_at, status, token_expires_at) VALUES (@Id, @Roles, @Owner, @TokenHash, @CreatedAt, @Status, @TokenExpiresAt)",
            new
            {
                principal.Id,
                Roles = RolesToText(principal.Roles),
                principal.Owner,
                TokenHash = tokenHash,
                CreatedAt = StoredTime.ToTicks(principal.CreatedAt),
                Status = StoredEnum<PrincipalStatus>.ToText(principal.Status),
                TokenExpiresAt = StoredTime.ToTicks(principal.TokenExpiresAt),
            },
            cancellationToken);

    /// <inheritdoc />
    public async Task<Principal?> FindPrincipalByTokenHashAsync(string tokenHash, CancellationToken cancellationToken) =>
        (await QuerySingleOrDefaultAsync<PrincipalRow>(
            $"SELECT {PrincipalColumns} FROM aab_principals WHERE token_hash = @TokenHash", new { TokenHash = tokenHash }, cancellationToken))?.ToPrincipal();

    /// <inheritdoc />
    public async Task<Principal?> GetPrincipalAsync(string id, CancellationToken cancellationToken) =>
        (await QuerySingleOrDefaultAsync<PrincipalRow>(
            $"SELECT {PrincipalColumns} FROM aab_principals WHERE id = @Id", new { Id = id }, cancellationToken))?.ToPrincipal();

    /// <inheritdoc />
    public async Task<IReadOnlyList<Principal>> ListPrincipalsAsync(CancellationToken cancellationToken) =>
        (await QueryAsync<PrincipalRow>($"SELECT {PrincipalColumns} FROM aab_principals ORDER BY created_at, id", null, cancellationToken))
            .Select(r => r.ToPrincipal()).ToList();

    /// <inheritdoc />
    public Task CreateTaskAsync(BrokerTask task, string taskTokenHash, CancellationToken cancellationToken) =>
        WriteAsync(scope => InsertTaskAsync(scope, task, taskTokenHash, cancellationToken), cancellationToken);

    private static Task<int> InsertTaskAsync(WriteScope scope, BrokerTask task, string taskTokenHash, CancellationToken cancellationToken) =>
        ExecuteAsync(
            scope,
            """
            INSERT INTO aab_tasks (id, description, owner, agent_id, scope_hints, environment, created_at, deadline, state, completed_at, token_hash)
            VALUES (@Id, @Description, @Owner, @AgentId, @ScopeHints, @Environment, @CreatedAt, @Deadline, @State, @CompletedAt, @TokenHash)
            """,
            new
            {
                task.Id,
                task.Description,
                task.Owner,
                task.AgentId,
                ScopeHints = StoredJson.Write(task.ScopeHints),
                task.Environment,
                CreatedAt = StoredTime.ToTicks(task.CreatedAt),
                Deadline = StoredTime.ToTicks(task.Deadline),
                State = StoredEnum<TaskState>.ToText(task.State),
                CompletedAt = StoredTime.ToTicks(task.CompletedAt),
                TokenHash = taskTokenHash,
            },
            cancellationToken);

    /// <inheritdoc />
    public async Task<BrokerTask?> GetTaskAsync(string id, CancellationToken cancellationToken) =>
        (await QuerySingleOrDefaultAsync<TaskRow>($"SELECT {TaskColumns} FROM aab_tasks WHERE id = @Id", new { Id = id }, cancellationToken))?.ToTask();

    /// <inheritdoc />
    public async Task<BrokerTask?> FindTaskByTokenHashAsync(string taskTokenHash, CancellationToken cancellationToken) =>
        (await QuerySingleOrDefaultAsync<TaskRow>(
            $"SELECT {TaskColumns} FROM aab_tasks WHERE token_hash = @TokenHash", new { TokenHash = taskTokenHash }, cancellationToken))?.ToTask();

    /// <inheritdoc />
    public async Task<IReadOnlyList<BrokerTask>> ListTasksAsync(string? agentId, TaskState? state, CancellationToken cancellationToken)
    {
        var filter = new SqlFilter()
            .Equal("agent_id", agentId)
            .Equal("state", state is { } s ? StoredEnum<TaskState>.ToText(s) : null);
        var rows = await QueryAsync<TaskRow>(
            $"SELECT {TaskColumns} FROM aab_tasks{filter.WhereClause} ORDER BY created_at, id", filter.Parameters, cancellationToken);
        return rows.Select(r => r.ToTask()).ToList();
    }

    /// <inheritdoc />
    public async Task<bool> CompleteTaskAsync(string id, DateTimeOffset at, CancellationToken cancellationToken) =>
        await WriteAsync(
            "UPDATE aab_tasks SET state = @Completed, completed_at = @At WHERE id = @Id AND state = @Active",
            new
            {
                Id = id,
                At = StoredTime.ToTicks(at),
                Completed = StoredEnum<TaskState>.ToText(TaskState.Completed),
                Active = StoredEnum<TaskState>.ToText(TaskState.Active),
            },
            cancellationToken) == 1;

    // Flags are kept as their lower-case names ("agent,approver") so a row reads the same as the policy file.
    private static string RolesToText(PrincipalRole roles) => roles.ToString().ToLowerInvariant().Replace(" ", string.Empty, StringComparison.Ordinal);

    private sealed class PrincipalRow
    {
        public string Id { get; set; } = string.Empty;

        public string Roles { get; set; } = string.Empty;

        public string? Owner { get; set; }

        public long CreatedAt { get; set; }

        public string Status { get; set; } = "enabled";

        public long? TokenExpiresAt { get; set; }

        public long Locked { get; set; }

        public Principal ToPrincipal() =>
            new(Id, Enum.Parse<PrincipalRole>(Roles, ignoreCase: true), Owner, StoredTime.FromTicks(CreatedAt))
            {
                Status = StoredEnum<PrincipalStatus>.Parse(Status),
                TokenExpiresAt = StoredTime.FromTicks(TokenExpiresAt),
                Locked = Locked != 0,
            };
    }

    private sealed class TaskRow
    {
        public string Id { get; set; } = string.Empty;

        public string Description { get; set; } = string.Empty;

        public string Owner { get; set; } = string.Empty;

        public string AgentId { get; set; } = string.Empty;

        public string ScopeHints { get; set; } = "[]";

        public string? Environment { get; set; }

        public long CreatedAt { get; set; }

        public long? Deadline { get; set; }

        public string State { get; set; } = string.Empty;

        public long? CompletedAt { get; set; }

        public BrokerTask ToTask() => new(
            Id,
            Description,
            Owner,
            AgentId,
            StoredJson.Read<List<string>>(ScopeHints),
            Environment,
            StoredTime.FromTicks(CreatedAt),
            StoredTime.FromTicks(Deadline),
            StoredEnum<TaskState>.Parse(State),
            StoredTime.FromTicks(CompletedAt));
    }
}
