using System.Runtime.CompilerServices;
using AgentAccessBroker.Audit;
using Dapper;

namespace AgentAccessBroker.Storage;

public abstract partial class BrokerStore
{
    /// <summary>Events per keyset page when reading the trail; tests make it small to cross page boundaries.</summary>
    internal int AuditPageSize { get; set; } = 1000;

    private const string AuditColumns =
        "sequence AS Sequence, occurred_at AS OccurredAt, type AS Type, actor AS Actor, agent_id AS AgentId, task_id AS TaskId, " +
        "request_id AS RequestId, lease_id AS LeaseId, data AS Data, previous_hash AS PreviousHash, hash AS Hash";

    /// <inheritdoc />
    public async Task<AuditEvent> AppendAsync(AuditEntry entry, CancellationToken cancellationToken) =>
        (await WriteAsync(scope => AppendAsync(scope, [entry], cancellationToken), cancellationToken))[0];

    /// <summary>Appends <paramref name="entries"/> in order inside <paramref name="scope"/>, after its other writes.</summary>
    private protected async Task<IReadOnlyList<AuditEvent>> AppendAsync(WriteScope scope, IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken)
    {
        if (entries.Count == 0)
        {
            return [];
        }

        // The head row is locked (PostgreSQL) or the whole database is (SQLite) until commit, so exactly one
        // transaction at a time reads the head: sequences stay contiguous and every event links to its predecessor.
        // Callers append last in their transaction, so the head stays locked only as long as the appends take, and
        // no transaction ever waits for another row while holding it (no deadlock).
        var (sequence, previousHash) = await QueryRowAsync(
            scope,
            "SELECT last_sequence, last_hash FROM aab_audit_head WHERE id = 1" + ForUpdate,
            null,
            r => (r.GetInt64(0), r.GetString(1)),
            (0L, string.Empty),
            cancellationToken);
        if (previousHash.Length == 0)
        {
            throw new InvalidOperationException("The audit head row is missing; the store was not migrated.");
        }

        var appended = new List<AuditEvent>(entries.Count);
        var rows = new List<string>(entries.Count);
        var parameters = new DynamicParameters();
        foreach (var entry in entries)
        {
            sequence++;
            var timestamp = AuditChain.Normalise(_timeProvider.GetUtcNow());
            var data = entry.Data.ToJsonString();
            var hash = AuditChain.ComputeHash(
                previousHash, sequence, timestamp, entry.Type, entry.Actor, entry.AgentId, entry.TaskId, entry.RequestId, entry.LeaseId, data);
            appended.Add(new AuditEvent(
                sequence, timestamp, entry.Type, entry.Actor, entry.AgentId, entry.TaskId, entry.RequestId, entry.LeaseId, data, previousHash, hash));

            var n = rows.Count;
            rows.Add($"(@Sequence{n}, @OccurredAt{n}, @Type{n}, @Actor{n}, @AgentId{n}, @TaskId{n}, @RequestId{n}, @LeaseId{n}, @Data{n}, @PreviousHash{n}, @Hash{n})");
            parameters.Add($"Sequence{n}", sequence);
            parameters.Add($"OccurredAt{n}", StoredTime.ToTicks(timestamp));
            parameters.Add($"Type{n}", entry.Type);
            parameters.Add($"Actor{n}", entry.Actor);
            parameters.Add($"AgentId{n}", entry.AgentId);
            parameters.Add($"TaskId{n}", entry.TaskId);
            parameters.Add($"RequestId{n}", entry.RequestId);
            parameters.Add($"LeaseId{n}", entry.LeaseId);
            parameters.Add($"Data{n}", data);
            parameters.Add($"PreviousHash{n}", previousHash);
            parameters.Add($"Hash{n}", hash);
            previousHash = hash;
        }

        // One statement for all of a step's events.
        await ExecuteAsync(
            scope,
            "INSERT INTO aab_audit_events (sequence, occurred_at, type, actor, agent_id, task_id, request_id, lease_id, data, previous_hash, hash) VALUES " +
            string.Join(", ", rows),
            parameters,
            cancellationToken);
        await ExecuteAsync(
            scope,
            "UPDATE aab_audit_head SET last_sequence = @Sequence, last_hash = @Hash WHERE id = 1",
            new { Sequence = sequence, Hash = previousHash },
            cancellationToken);
        return appended;
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<AuditEvent> ReadAuditAsync(AuditQuery query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Keyset pages instead of one long-running query: no transaction or connection stays open while the caller
        // consumes an export, and appends (which only ever add higher sequences) are never blocked by a reader.
        long after = 0;
        while (true)
        {
            var filter = new SqlFilter()
                .Compare("sequence", ">", after)
                .Compare("occurred_at", ">=", StoredTime.ToTicks(query.From))
                .Compare("occurred_at", "<", StoredTime.ToTicks(query.To))
                .Equal("agent_id", query.AgentId)
                .Equal("task_id", query.TaskId);
            var page = await QueryAsync<AuditRow>(
                $"SELECT {AuditColumns} FROM aab_audit_events{filter.WhereClause} ORDER BY sequence LIMIT {AuditPageSize}",
                filter.Parameters,
                cancellationToken);
            foreach (var row in page)
            {
                yield return row.ToEvent();
                after = row.Sequence;
            }

            if (page.Count < AuditPageSize)
            {
                yield break;
            }
        }
    }

    private sealed class AuditRow
    {
        public long Sequence { get; set; }

        public long OccurredAt { get; set; }

        public string Type { get; set; } = string.Empty;

        public string Actor { get; set; } = string.Empty;

        public string? AgentId { get; set; }

        public string? TaskId { get; set; }

        public string? RequestId { get; set; }

        public string? LeaseId { get; set; }

        public string Data { get; set; } = string.Empty;

        public string PreviousHash { get; set; } = string.Empty;

        public string Hash { get; set; } = string.Empty;

        public AuditEvent ToEvent() =>
            new(Sequence, StoredTime.FromTicks(OccurredAt), Type, Actor, AgentId, TaskId, RequestId, LeaseId, Data, PreviousHash, Hash);
    }
}
