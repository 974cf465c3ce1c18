using AgentAccessBroker.Approvals;
using AgentAccessBroker.Audit;
using AgentAccessBroker.Decisions;
using AgentAccessBroker.Domain;

namespace AgentAccessBroker.Storage;

/// <summary>
/// The broker's durable state. Task-shaped methods only; implementations (SQLite, PostgreSQL) pass one conformance
/// suite. State changes that can race (request decisions, lease transitions, task completion) are compare-and-set:
/// they succeed for exactly one caller and report whether they did.
/// </summary>
public interface IBrokerStore : IAuditLog
{
    /// <summary>Creates or upgrades the schema to the latest version. Safe to call concurrently from several nodes.</summary>
    Task MigrateAsync(CancellationToken cancellationToken);

    // Principals and their bearer tokens (only SHA-256 hashes of tokens are stored).
    Task CreatePrincipalAsync(Principal principal, string tokenHash, CancellationToken cancellationToken);
    Task<Principal?> FindPrincipalByTokenHashAsync(string tokenHash, CancellationToken cancellationToken);
    Task<Principal?> GetPrincipalAsync(string id, CancellationToken cancellationToken);
    Task<IReadOnlyList<Principal>> ListPrincipalsAsync(CancellationToken cancellationToken);

    // Tasks.
    Task CreateTaskAsync(BrokerTask task, string taskTokenHash, CancellationToken cancellationToken);
    Task<BrokerTask?> GetTaskAsync(string id, CancellationToken cancellationToken);
    Task<BrokerTask?> FindTaskByTokenHashAsync(string taskTokenHash, CancellationToken cancellationToken);
    Task<IReadOnlyList<BrokerTask>> ListTasksAsync(string? agentId, TaskState? state, CancellationToken cancellationToken);

    /// <summary>Marks an active task completed. False when it was already completed (or does not exist).</summary>
    Task<bool> CompleteTaskAsync(string id, DateTimeOffset at, CancellationToken cancellationToken);

    // Access requests.
    /// <summary>
    /// Records a new, assessed request in one transaction: its row, the agent's and task's history aggregates through
    /// <paramref name="history"/> (as <see cref="UpdateHistoryAsync"/>), the <paramref name="lease"/> of a request
    /// granted at once (in <see cref="LeaseState.Minting"/>, before anything is created outside), then
    /// <paramref name="events"/> in order.
    /// </summary>
    Task RecordRequestAsync(
        AccessRequest request, Func<BehaviourHistory, BehaviourHistory> history, Lease? lease, IReadOnlyList<AuditEntry> events, CancellationToken cancellationToken);
    Task<AccessRequest?> GetRequestAsync(string id, CancellationToken cancellationToken);
    Task<IReadOnlyList<AccessRequest>> ListRequestsAsync(RequestQuery query, CancellationToken cancellationToken);

    /// <summary>
    /// Moves a request from <paramref name="expected"/> to the status in <paramref name="update"/> and writes its
    /// decision fields. False when the request was no longer in <paramref name="expected"/> (someone else decided).
    /// </summary>
    Task<bool> TransitionRequestAsync(string id, RequestStatus expected, RequestUpdate update, CancellationToken cancellationToken);

    /// <summary>As above, and appends <paramref name="events"/> in the same transaction if (and only if) the request moved.</summary>
    Task<bool> TransitionRequestAsync(string id, RequestStatus expected, RequestUpdate update, IReadOnlyList<AuditEntry> events, CancellationToken cancellationToken);

    // Approval votes.
    /// <summary>Records a vote. False when this approver already voted on this request.</summary>
    Task<bool> AddVoteAsync(ApprovalVote vote, CancellationToken cancellationToken);
    Task<IReadOnlyList<ApprovalVote>> ListVotesAsync(string requestId, CancellationToken cancellationToken);

    // Where each pending request was announced (a chat message), so its outcome can be shown there later.
    Task SaveAnnouncementAsync(string requestId, string channel, string reference, CancellationToken cancellationToken);
    Task<IReadOnlyList<(string Channel, string Reference)>> ListAnnouncementsAsync(string requestId, CancellationToken cancellationToken);

    // Leases.
    /// <summary>
    /// Claims an approved request for minting and inserts its lease (in <see cref="LeaseState.Minting"/>) with
    /// <paramref name="minting"/>, all in one transaction: the request moves from <paramref name="expected"/> to
    /// <paramref name="claim"/>. False, with nothing written, when the request was no longer in <paramref name="expected"/>.
    /// </summary>
    Task<bool> StartLeaseAsync(string requestId, RequestStatus expected, RequestUpdate claim, Lease lease, AuditEntry minting, CancellationToken cancellationToken);
    Task<Lease?> GetLeaseAsync(string id, CancellationToken cancellationToken);
    Task<IReadOnlyList<Lease>> ListLeasesAsync(LeaseQuery query, CancellationToken cancellationToken);

    /// <summary>
    /// Moves a lease to <see cref="LeaseUpdate.State"/> if it is in one of <paramref name="expected"/>, and writes
    /// the other non-null fields of <paramref name="update"/>. False when it was in none of them.
    /// </summary>
    Task<bool> TransitionLeaseAsync(string id, IReadOnlyCollection<LeaseState> expected, LeaseUpdate update, CancellationToken cancellationToken);

    /// <summary>As above, and appends <paramref name="events"/> in the same transaction if (and only if) the lease moved.</summary>
    Task<bool> TransitionLeaseAsync(string id, IReadOnlyCollection<LeaseState> expected, LeaseUpdate update, IReadOnlyList<AuditEntry> events, CancellationToken cancellationToken);

    /// <summary>
    /// Moves a lease from <see cref="LeaseState.Minting"/> to <see cref="LeaseState.Active"/> once its credential
    /// exists, with the provider's final <paramref name="revocationData"/> and <paramref name="minted"/>, in one
    /// transaction. False when the lease was no longer minting.
    /// </summary>
    /// <remarks>
    /// One of the two commits that do not wait for the disk's flush (with <see cref="StartRevocationAttemptAsync"/>): a crash of the broker cannot lose it, a crash of the
    /// machine (or of the PostgreSQL server) can, and then only together with every transaction committed after it. A
    /// lost activation leaves the lease as it was written, durably, before the mint: minting, with its revocation plan,
    /// its scheduled end and its minting event, which the revocation sweep revokes. Every credential stays tracked; the
    /// agent loses early a credential the trail never recorded as delivered.
    /// </remarks>
    Task<bool> ActivateLeaseAsync(string id, IReadOnlyDictionary<string, string> revocationData, AuditEntry minted, CancellationToken cancellationToken);

    /// <summary>
    /// Records that a revocation attempt starts: as <see cref="TransitionLeaseAsync(string, IReadOnlyCollection{LeaseState}, LeaseUpdate, IReadOnlyList{AuditEntry}, CancellationToken)"/>
    /// (the lease moves to <see cref="LeaseState.Revoking"/> with the attempt's deadline and <paramref name="events"/>),
    /// but its commit does not wait for the disk's flush.
    /// </summary>
    /// <remarks>
    /// Like <see cref="ActivateLeaseAsync"/>: a crash of the broker cannot lose it, a crash of the machine (or of the
    /// PostgreSQL server) can, and then only together with every transaction committed after it, so the audit chain
    /// keeps no gap. A lost start leaves the lease as it was before the attempt (active past its end, or failed with
    /// its retry due), which the revocation sweep revokes again; revoking is idempotent. The attempt's outcome is
    /// written with <see cref="FinishRevocationAttemptAsync"/>, which waits for the disk and so makes the start durable
    /// too before any lease is shown revoked.
    /// </remarks>
    Task<bool> StartRevocationAttemptAsync(string id, IReadOnlyCollection<LeaseState> expected, LeaseUpdate update, IReadOnlyList<AuditEntry> events, CancellationToken cancellationToken);

    /// <summary>
    /// Records a revocation attempt's outcome: as <see cref="TransitionLeaseAsync(string, IReadOnlyCollection{LeaseState}, LeaseUpdate, IReadOnlyList{AuditEntry}, CancellationToken)"/>,
    /// durably (the commit waits for the disk), but outcomes recorded at the same time share one transaction and one
    /// flush of the disk (group commit). Each lease still moves only from <paramref name="expected"/>, and its events are
    /// appended if and only if it moved; the result is known, and durable, when the task completes. Not cancellable: an
    /// outcome whose revocation happened is always recorded.
    /// </summary>
    Task<bool> FinishRevocationAttemptAsync(string id, IReadOnlyCollection<LeaseState> expected, LeaseUpdate update, IReadOnlyList<AuditEntry> events);

    /// <summary>
    /// Leases whose revocation is due at <paramref name="now"/>: active past their end, revoking or failed with a
    /// next attempt due, minting rows older than <paramref name="mintingStaleBefore"/> (crashed mid-mint), and active
    /// or minting rows marked due (<see cref="Lease.DueAt"/>) by a cut-off.
    /// </summary>
    Task<IReadOnlyList<Lease>> ListDueLeasesAsync(DateTimeOffset now, DateTimeOffset mintingStaleBefore, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Revoked leases and rolled-back mints (<see cref="LeaseState.MintFailed"/>) whose credential could still be used
    /// at <paramref name="now"/> (<see cref="Lease.UsableUntil"/> after it) and whose revocation was last verified before
    /// <paramref name="verifiedBefore"/>: the ones due for a periodic re-verification. Oldest first, at most
    /// <paramref name="limit"/>.
    /// </summary>
    Task<IReadOnlyList<Lease>> ListRechecksDueAsync(DateTimeOffset now, DateTimeOffset verifiedBefore, int limit, CancellationToken cancellationToken);

    // Behaviour history aggregates.
    Task<BehaviourHistory> GetHistoryAsync(string agentId, string taskId, CancellationToken cancellationToken);

    /// <summary>Applies <paramref name="update"/> to the agent's and task's aggregates atomically (no lost updates).</summary>
    Task<BehaviourHistory> UpdateHistoryAsync(string agentId, string taskId, Func<BehaviourHistory, BehaviourHistory> update, CancellationToken cancellationToken);

    // Lifecycle: every change below commits with its audit events, and every cut-off (task end, principal disabled or
    // removed, lock) withdraws the subject's pending and approved requests and marks its live leases due (see
    // Lease.DueAt) in the same transaction, so a crash after it leaves nothing the sweeps would not revoke.

    /// <summary>Registers a principal and appends <paramref name="registered"/> in one transaction.</summary>
    Task CreatePrincipalAsync(Principal principal, string tokenHash, AuditEntry registered, CancellationToken cancellationToken);

    /// <summary>
    /// Sets a principal's status. Disabling or removing it cuts off everything issued to it as an agent; removing
    /// it also invalidates its token. Null when there is no such principal.
    /// </summary>
    Task<CutOff?> SetPrincipalStatusAsync(string id, PrincipalStatus status, DateTimeOffset at, string actor, AuditEntry changed, CancellationToken cancellationToken);

    /// <summary>Replaces a principal's token hash (the old token stops working at once). False when there is no such enabled principal.</summary>
    Task<bool> ReplaceTokenAsync(string id, string tokenHash, DateTimeOffset? expiresAt, AuditEntry rotated, CancellationToken cancellationToken);

    /// <summary>Creates a task and appends <paramref name="started"/> in one transaction.</summary>
    Task CreateTaskAsync(BrokerTask task, string taskTokenHash, AuditEntry started, CancellationToken cancellationToken);

    /// <summary>
    /// Ends an active task in <paramref name="end"/> (completed, cancelled, expired) with its cut-off and an audit
    /// event, in one transaction. On a task that already ended, marks any live lease due again and changes nothing else.
    /// </summary>
    Task<TaskEnding> EndTaskAsync(string id, TaskState end, DateTimeOffset at, string actor, string reason, CancellationToken cancellationToken);

    /// <summary>Active tasks whose deadline is at or before <paramref name="now"/>.</summary>
    Task<IReadOnlyList<BrokerTask>> ListOverdueTasksAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken);

    /// <summary>Creates a lock with its cut-off (for an agent or a task subject) and <paramref name="created"/>, in one transaction.</summary>
    Task<CutOff> CreateLockAsync(AccessLock accessLock, AuditEntry created, CancellationToken cancellationToken);

    /// <summary>Lifts a lock in force. False when it does not exist or was already lifted.</summary>
    Task<bool> LiftLockAsync(string id, DateTimeOffset at, AuditEntry lifted, CancellationToken cancellationToken);

    Task<IReadOnlyList<AccessLock>> ListLocksAsync(bool includeLifted, CancellationToken cancellationToken);

    /// <summary>Records a vote and appends <paramref name="voted"/> in one transaction. False when this approver already voted.</summary>
    Task<bool> AddVoteAsync(ApprovalVote vote, AuditEntry voted, CancellationToken cancellationToken);

    // Audit trail (appending comes from IAuditLog).
    /// <summary>Events in sequence order, optionally filtered. Filters never hide events from the chain check of an unfiltered export.</summary>
    IAsyncEnumerable<AuditEvent> ReadAuditAsync(AuditQuery query, CancellationToken cancellationToken);
}
