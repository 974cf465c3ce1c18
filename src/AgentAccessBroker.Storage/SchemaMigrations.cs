using AgentAccessBroker.Audit;

namespace AgentAccessBroker.Storage;

/// <summary>
/// The schema, as ordered migrations. Never edit a released migration: add a new one. The DDL is shared by both
/// engines (<c>bigint</c> and <c>text</c> mean the same to each); only what truly differs (the append-only guard on the
/// audit table) comes from the dialect. Every object is prefixed <c>aab_</c> so the Quartz job store
/// (<c>qrtz_</c> tables) can live in the same database.
/// </summary>
internal static class SchemaMigrations
{
    public const string HistoryTable = "aab_schema_migrations";

    public const string CreateHistoryTable =
        "CREATE TABLE IF NOT EXISTS aab_schema_migrations (version bigint PRIMARY KEY, name text NOT NULL, applied_at bigint NOT NULL)";

    // Instants and durations are 100 ns ticks (see StoredTime); lists, maps and assessments are JSON text.
    private static readonly string[] Initial =
    [
        """
        CREATE TABLE aab_principals (
            id text PRIMARY KEY,
            roles text NOT NULL,
            owner text NULL,
            token_hash text NOT NULL UNIQUE,
            created_at bigint NOT NULL)
        """,
        """
        CREATE TABLE aab_tasks (
            id text PRIMARY KEY,
            description text NOT NULL,
            owner text NOT NULL,
            agent_id text NOT NULL REFERENCES aab_principals (id),
            scope_hints text NOT NULL,
            environment text NULL,
            created_at bigint NOT NULL,
            deadline bigint NULL,
            state text NOT NULL,
            completed_at bigint NULL,
            token_hash text NOT NULL UNIQUE)
        """,
        "CREATE INDEX aab_tasks_agent_ix ON aab_tasks (agent_id, created_at)",
        "CREATE INDEX aab_tasks_created_ix ON aab_tasks (created_at)",
        """
        CREATE TABLE aab_requests (
            id text PRIMARY KEY,
            agent_id text NOT NULL,
            task_id text NOT NULL REFERENCES aab_tasks (id),
            target text NOT NULL,
            resources text NOT NULL,
            actions text NOT NULL,
            purpose text NOT NULL,
            requested_duration bigint NOT NULL,
            created_at bigint NOT NULL,
            status text NOT NULL,
            assessment text NULL,
            granted_duration bigint NULL,
            decided_at bigint NULL,
            lease_id text NULL)
        """,
        "CREATE INDEX aab_requests_task_ix ON aab_requests (task_id, created_at)",
        "CREATE INDEX aab_requests_agent_ix ON aab_requests (agent_id, created_at)",
        "CREATE INDEX aab_requests_status_ix ON aab_requests (status, created_at)",
        """
        CREATE TABLE aab_approval_votes (
            request_id text NOT NULL REFERENCES aab_requests (id),
            approver_id text NOT NULL,
            approve bigint NOT NULL CHECK (approve IN (0, 1)),
            channel text NOT NULL,
            channel_identity text NULL,
            duration bigint NULL,
            comment text NULL,
            voted_at bigint NOT NULL,
            PRIMARY KEY (request_id, approver_id))
        """,
        """
        CREATE TABLE aab_leases (
            id text PRIMARY KEY,
            request_id text NOT NULL REFERENCES aab_requests (id),
            task_id text NOT NULL REFERENCES aab_tasks (id),
            agent_id text NOT NULL,
            target text NOT NULL,
            provider text NOT NULL,
            resources text NOT NULL,
            actions text NOT NULL,
            created_at bigint NOT NULL,
            expires_at bigint NOT NULL,
            state text NOT NULL,
            revocation_data text NOT NULL,
            revocation_attempts bigint NOT NULL,
            last_error text NULL,
            next_attempt_at bigint NULL,
            revoked_at bigint NULL,
            verified_at bigint NULL)
        """,
        "CREATE INDEX aab_leases_task_ix ON aab_leases (task_id, created_at)",
        "CREATE INDEX aab_leases_agent_ix ON aab_leases (agent_id, created_at)",
        // The due-lease sweep: active leases by end time, retries by next attempt, stale mints by creation time.
        "CREATE INDEX aab_leases_due_expiry_ix ON aab_leases (state, expires_at)",
        "CREATE INDEX aab_leases_due_retry_ix ON aab_leases (state, next_attempt_at)",
        "CREATE INDEX aab_leases_state_created_ix ON aab_leases (state, created_at)",
        "CREATE TABLE aab_agent_history (agent_id text PRIMARY KEY, data text NOT NULL)",
        "CREATE TABLE aab_task_history (agent_id text NOT NULL, task_id text NOT NULL, data text NOT NULL, PRIMARY KEY (agent_id, task_id))",
        """
        CREATE TABLE aab_audit_events (
            sequence bigint PRIMARY KEY,
            occurred_at bigint NOT NULL,
            type text NOT NULL,
            actor text NOT NULL,
            agent_id text NULL,
            task_id text NULL,
            request_id text NULL,
            lease_id text NULL,
            data text NOT NULL,
            previous_hash text NOT NULL,
            hash text NOT NULL)
        """,
        "CREATE INDEX aab_audit_events_time_ix ON aab_audit_events (occurred_at)",
        "CREATE INDEX aab_audit_events_agent_ix ON aab_audit_events (agent_id, sequence)",
        "CREATE INDEX aab_audit_events_task_ix ON aab_audit_events (task_id, sequence)",
        // The chain head: one row every append locks, so sequence and previous hash are taken under exclusive access.
        "CREATE TABLE aab_audit_head (id bigint PRIMARY KEY CHECK (id = 1), last_sequence bigint NOT NULL, last_hash text NOT NULL)",
        $"INSERT INTO aab_audit_head (id, last_sequence, last_hash) VALUES (1, 0, '{AuditChain.GenesisHash}')",
    ];

    /// <summary>
    /// All migrations, in order, with the dialect's append-only guard for the audit table and its trigger that clears
    /// a history row's stamp when the row's data changes without a new stamp (see <see cref="HistoryStamps"/>).
    /// </summary>
    public static IReadOnlyList<SchemaMigration> All(IReadOnlyList<string> appendOnlyGuard, IReadOnlyList<string> historyStampGuard) =>
    [
        new(1, "initial schema", Initial),
        new(2, "audit events are append-only", appendOnlyGuard),
        new(3, "approval announcements", Announcements),
        new(4, "history row stamps", [.. HistoryStamps, .. historyStampGuard]),
        new(5, "principal and task lifecycle", Lifecycle),
        new(6, "re-verification of revoked credentials that are still valid", Rechecks),
        new(7, "revoked leases from before re-verification are re-verified too", RecheckBackfill),
    ];

    /// <summary>
    /// How long after its lease's end any connector's credential can outlive a revocation, at most: an Azure token
    /// obtained with a lease's secret (<c>RevokedTokenLifetime</c>, at most 2 days) plus ARM's 5 minutes of clock skew.
    /// An AWS session ends at most 30 minutes after its lease (15 minutes' minimum duration, the plan's validity, skew).
    /// </summary>
    public static readonly TimeSpan LongestOutlivingCredential = TimeSpan.FromDays(2) + TimeSpan.FromMinutes(5);

    // A lease revoked before migration 6 has no usable_until and would never be re-verified, whatever its provider.
    // The row knows its end but not how long its provider's credential outlives it, so it gets the longest any
    // connector's does; re-verification then narrows that to the provider's own answer from the row's revocation data
    // (the exact AWS session expiry) at its first look, and stops at once, with no call outside, for a provider whose
    // revocation destroys the credential (PostgreSQL, GitHub). Rows whose bound has passed even by the newest lease's
    // creation (no later than now) are left alone: they are over. Rolled-back mints of that time are not included:
    // their rows cannot tell whether the mint reached outside, and re-verifying one that did not would add a deny entry
    // for a session that never existed.
    private static readonly string[] RecheckBackfill =
    [
        $"""
        UPDATE aab_leases SET usable_until = expires_at + {LongestOutlivingCredential.Ticks}
         WHERE state = 'revoked' AND usable_until IS NULL
           AND expires_at + {LongestOutlivingCredential.Ticks} > (SELECT COALESCE(max(created_at), 0) FROM aab_leases)
        """,
    ];

    // A revoked lease whose credential outlives its revocation (an AWS STS session listed in a deny policy) records
    // until when that credential could be used; the periodic re-verification reads only those rows. Leases revoked
    // before this migration get theirs from migration 7.
    private static readonly string[] Rechecks =
    [
        "ALTER TABLE aab_leases ADD COLUMN usable_until bigint NULL",
        "CREATE INDEX aab_leases_recheck_ix ON aab_leases (state, usable_until)",
    ];

    // Principals can be disabled or removed and their tokens expire; a cut-off marks live leases due (due_at); locks
    // name an agent, a person or a task. Existing principals stay enabled with tokens that never expire.
    private static readonly string[] Lifecycle =
    [
        "ALTER TABLE aab_principals ADD COLUMN status text NOT NULL DEFAULT 'enabled'",
        "ALTER TABLE aab_principals ADD COLUMN token_expires_at bigint NULL",
        "ALTER TABLE aab_leases ADD COLUMN due_at bigint NULL",
        "CREATE INDEX aab_leases_due_mark_ix ON aab_leases (state, due_at)",
        "CREATE INDEX aab_tasks_deadline_ix ON aab_tasks (state, deadline)",
        """
        CREATE TABLE aab_locks (
            id text PRIMARY KEY,
            kind text NOT NULL,
            subject text NOT NULL,
            reason text NOT NULL,
            created_by text NOT NULL,
            created_at bigint NOT NULL,
            lifted_at bigint NULL)
        """,
        "CREATE INDEX aab_locks_subject_ix ON aab_locks (subject, kind)",
    ];

    // Where a pending request was announced (a Slack message), so the outcome can be shown there after a restart.
    private static readonly string[] Announcements =
    [
        "CREATE TABLE aab_approval_announcements (request_id text NOT NULL REFERENCES aab_requests (id), channel text NOT NULL, reference text NOT NULL, PRIMARY KEY (request_id, channel))",
    ];

    // A random number written with every version of a history row, so a node can tell whether the aggregates it
    // parsed last are still current without reading the row's JSON (see BrokerStore.History). 0 means "unknown, never
    // cache": rows written before this migration, and (through the dialect's trigger) rows whose data was changed
    // without a new stamp, by an older release during a rolling upgrade or by hand.
    private static readonly string[] HistoryStamps =
    [
        "ALTER TABLE aab_agent_history ADD COLUMN stamp bigint NOT NULL DEFAULT 0",
        "ALTER TABLE aab_task_history ADD COLUMN stamp bigint NOT NULL DEFAULT 0",
    ];
}
