using AgentAccessBroker.Actions;
using AgentAccessBroker.Approvals;
using AgentAccessBroker.Audit;
using AgentAccessBroker.Brokering;
using AgentAccessBroker.Credentials;
using AgentAccessBroker.Decisions;
using AgentAccessBroker.Domain;
using AgentAccessBroker.IntentAnalysis;
using AgentAccessBroker.IntentAnalysis.Review;
using AgentAccessBroker.Policy;
using AgentAccessBroker.Storage;
using AgentAccessBroker.Testing;
using AgentAccessBroker.Testing.Broker;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace AgentAccessBroker.Server.Tests;

/// <summary>
/// The broker's core flow on a real SQLite store with a manual clock and a scriptable provider, for failure paths that
/// a real connector cannot be made to produce on demand (revocation outages, crashes mid-mint).
/// </summary>
internal sealed class BrokerFlowHarness : IAsyncDisposable
{
    /// <summary>Grants reads of <c>box.*</c>; <c>vault.*</c> (tagged pii) always needs bob's approval.</summary>
    public const string PolicyYaml = """
        version: 1
        agents: [{ id: agent-a, owner: alice }]
        approver_groups: [{ name: ops, members: [{ id: bob }, { id: alice }] }]
        rules:
          - { name: pii-needs-a-human, effect: require_approval, when: { data_tag: pii } }
        targets:
          - name: box
            connector: scripted
            approvers: ops
            resources:
              - { name: "box.*", sensitivity: low, environment: dev }
              - { name: "vault.*", sensitivity: low, environment: dev, tags: [pii] }
        """;

    private readonly string _directory = Directory.CreateTempSubdirectory("aab-flow-").FullName;
    private readonly ServiceProvider _meters = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly ReloadablePolicy _policies = new();

    public BrokerFlowHarness()
    {
        Store = new SqliteBrokerStore(Path.Combine(_directory, "broker.db"), Clock);
        var registry = new CredentialProviderRegistry([Provider]);
        Revoker = new LeaseRevoker(Store, Store, _policies, registry, Scheduler, Clock, NullLogger<LeaseRevoker>.Instance);
        var issuer = new CredentialIssuer(Store, _policies, registry, Scheduler, Revoker, new BrokerMetrics(_meters.GetRequiredService<IMeterFactory>()), Clock, NullLogger<CredentialIssuer>.Instance);
        var announcer = new ApprovalAnnouncer([], Store, NullLogger<ApprovalAnnouncer>.Instance);
        var history = new HistoryDescriber();
        var vocabularies = new ActionVocabularies([new ScriptedVocabulary()]);
        var desk = Desk = new ApprovalDesk(Store, _policies, history, vocabularies, announcer, Clock);
        var assessor = new HookedAssessor(new ReviewedAssessor(new IntentAnalyzer(), null, new OutsideReviewOptions(), Clock, NullLogger<ReviewedAssessor>.Instance), this);
        Intake = new AccessRequestIntake(Store, _policies, assessor, history, vocabularies, issuer, announcer, Scheduler, Clock);
        Tasks = new TaskLifecycle(Store, Revoker, desk, Scheduler, Clock);
        Sweep = new RevocationSweep(Store, Revoker, desk, Tasks, Clock, NullLogger<RevocationSweep>.Instance);
        Registry = new PrincipalRegistry(Store, _policies, Clock);
        Principals = new PrincipalLifecycle(Store, Revoker, desk, Clock);
        Locks = new AccessLocks(Store, Revoker, desk, Clock);
        Recheck = new RevocationRecheck(Store, Store, _policies, registry, Revoker, Clock, NullLogger<RevocationRecheck>.Instance);
    }

    public FakeTimeProvider Clock { get; } = new(TestClock.Start);

    /// <summary>Runs when a request is assessed (after it was validated, before its lease is planned).</summary>
    public Action? OnAssess { get; set; }

    public SqliteBrokerStore Store { get; }

    public ScriptedProvider Provider { get; } = new();

    public RecordingScheduler Scheduler { get; } = new();

    public LeaseRevoker Revoker { get; }

    public AccessRequestIntake Intake { get; }

    public TaskLifecycle Tasks { get; }

    public RevocationSweep Sweep { get; }

    public ApprovalDesk Desk { get; }

    public PrincipalRegistry Registry { get; }

    public PrincipalLifecycle Principals { get; }

    public AccessLocks Locks { get; }

    /// <summary>Re-verification of revoked leases and rolled-back mints, at the default interval.</summary>
    public RevocationRecheck Recheck { get; }

    /// <summary>An agent with a task, and a granted lease on <c>box.one</c>.</summary>
    public async Task<(Principal Agent, BrokerTask Task, RequestOutcome.Granted Grant)> GrantAsync()
    {
        var (agent, task) = await AgentWithTaskAsync();
        return (agent, task, Assert.IsType<RequestOutcome.Granted>(await SubmitReadAsync(agent, task)));
    }

    /// <summary>A migrated store with agent <c>agent-a</c> and a task for it that mentions <c>box.one</c>.</summary>
    public async Task<(Principal Agent, BrokerTask Task)> AgentWithTaskAsync()
    {
        await Store.MigrateAsync(CancellationToken.None);
        var (agent, _) = await Registry.RegisterAsync("test", "agent-a", PrincipalRole.Agent, "alice", CancellationToken.None);
        var (admin, _) = await Registry.RegisterAsync("test", "admin", PrincipalRole.Admin, null, CancellationToken.None);
        var (task, _) = await Tasks.StartAsync(admin, "agent-a", "read box one for the report", ["box.one"], "dev", null, CancellationToken.None);
        return (agent, task);
    }

    /// <summary>Reading <c>box.one</c> for the task: a request the analyzer grants.</summary>
    public static NewAccessRequest ReadBoxOne { get; } = new("box", ["box.one"], ["read"], "read box one for the report", TimeSpan.FromMinutes(15));

    /// <summary>Asks for <see cref="ReadBoxOne"/>.</summary>
    public Task<RequestOutcome> SubmitReadAsync(Principal agent, BrokerTask task) =>
        Intake.SubmitAsync(agent, task, ReadBoxOne, false, CancellationToken.None);

    public Task<IReadOnlyList<AuditEvent>> AuditAsync() => AuditTrail.ReadAllAsync(Store);

    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        await _meters.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>Loads the policy again from the same text: the same rules, in new objects, as a reload of an unchanged file.</summary>
    public void ReloadPolicy() => _policies.Reload();

    /// <summary>Replaces the policy in force, as an edited file would.</summary>
    public void LoadPolicy(string yaml) => _policies.Reload(yaml);

    /// <summary>Reading <c>vault.one</c>: a request a human must approve.</summary>
    public static NewAccessRequest ReadVaultOne { get; } = new("box", ["vault.one"], ["read"], "read vault one for the report", TimeSpan.FromMinutes(15));

    /// <summary>A request for <c>vault.one</c>, approved by bob, not yet claimed.</summary>
    public async Task<AccessRequest> ApprovedAsync(Principal agent, BrokerTask task)
    {
        var pending = Assert.IsType<RequestOutcome.PendingApproval>(await Intake.SubmitAsync(agent, task, ReadVaultOne, false, CancellationToken.None));
        Assert.IsType<VoteResult.Recorded>(await Desk.VoteAsync(pending.Request.Id, "bob", true, "api", null, null, null, CancellationToken.None));
        var approved = (await Store.GetRequestAsync(pending.Request.Id, CancellationToken.None))!;
        Assert.Equal(RequestStatus.Approved, approved.Status);
        return approved;
    }

    private sealed class ReloadablePolicy : IPolicySource
    {
        private string _yaml = PolicyYaml;

        public BrokerPolicy Current { get; private set; } = Load(PolicyYaml);

        public void Reload(string? yaml = null)
        {
            _yaml = yaml ?? _yaml;
            Current = Load(_yaml);
        }

        private static BrokerPolicy Load(string yaml) =>
            PolicyLoader.Load(yaml, "flow-policy.yaml", _ => []).Policy ?? throw new InvalidOperationException("test policy invalid");
    }

    private sealed class HookedAssessor(IAsyncRequestAssessor inner, BrokerFlowHarness flow) : IAsyncRequestAssessor
    {
        public Task<Assessment> AssessAsync(AssessmentInput input, CancellationToken cancellationToken)
        {
            flow.OnAssess?.Invoke();
            return inner.AssessAsync(input, cancellationToken);
        }
    }

    /// <summary>The scripted connector's actions: read, write and delete on <c>box.*</c> and <c>vault.*</c>.</summary>
    internal sealed class ScriptedVocabulary : IActionVocabulary
    {
        public string Connector => "scripted";

        public IReadOnlyList<string> MintableActions { get; } = ["read", "write", "delete"];

        public ClassifiedAction? Classify(string action) => action switch
        {
            "read" => new ClassifiedAction(action, ActionClass.Read, ActionTraits.None),
            "write" => new ClassifiedAction(action, ActionClass.Write, ActionTraits.None),
            "delete" => new ClassifiedAction(action, ActionClass.Destructive, ActionTraits.None),
            _ => null,
        };

        public IReadOnlyList<string> ReadCounterparts(string action) => action is "write" or "delete" ? ["read"] : [];

        public bool RecognisesResource(string resource) =>
            resource.StartsWith("box.", StringComparison.Ordinal) || resource.StartsWith("vault.", StringComparison.Ordinal);
    }

    /// <summary>Keeps minted "credentials" in memory; revocation can be made to fail a number of times.</summary>
    internal sealed class ScriptedProvider : ICredentialProvider, IMintPreparer, IRevokedCredentialLifetime
    {
        private readonly HashSet<string> _live = [];
        private readonly HashSet<ScriptedPreparation> _unused = [];
        private int _prepared;

        public string Name => "scripted";

        public int RevocationFailuresLeft { get; set; }

        public bool FailMint { get; set; }

        /// <summary>Revoke reports success but removes nothing: only verification can tell.</summary>
        public bool RevokeLeavesAccess { get; set; }

        /// <summary>When set, the mint throws it before creating anything, as a provider that refuses up front.</summary>
        public Exception? MintRefusal { get; set; }

        public bool FailPreparation { get; set; }

        public int MintCalls { get; private set; }

        public int RevokeCalls { get; private set; }

        public int VerifyCalls { get; private set; }

        /// <summary>
        /// When set, a credential (even one a failed mint may have made) stays usable until then after revocation, only
        /// denied, as an AWS session does; null (the default): revocation destroys it.
        /// </summary>
        public DateTimeOffset? OutlivesRevocationUntil { get; set; }

        public DateTimeOffset? UsableUntil(RevocationRequest request) => OutlivesRevocationUntil;

        /// <summary>Makes a lease seeded straight into the store hold a live "credential", as if it had been minted.</summary>
        public void Adopt(string leaseId)
        {
            lock (_live)
            {
                _live.Add(leaseId);
            }
        }

        /// <summary>How many "credentials" are live now.</summary>
        public int LiveCount
        {
            get
            {
                lock (_live)
                {
                    return _live.Count;
                }
            }
        }

        public bool IsLive(string leaseId)
        {
            lock (_live)
            {
                return _live.Contains(leaseId);
            }
        }

        public IReadOnlyList<TargetSettingProblem> ValidateTarget(TargetSettings target) => [];

        public RevocationData Plan(MintRequest request) => RevocationData.Of(("handle", request.LeaseId));

        /// <summary>Preparations made so far, used or not.</summary>
        public int PreparationsMade => Volatile.Read(ref _prepared);

        /// <summary>Preparations made and not yet used by a mint.</summary>
        public int UnusedPreparations
        {
            get
            {
                lock (_unused)
                {
                    return _unused.Count;
                }
            }
        }

        /// <summary>
        /// Prepares the token the mint hands out; the mint refuses a preparation that this provider did not make for
        /// the same target, or that another mint already used.
        /// </summary>
        public MintPreparation Prepare(TargetSettings target)
        {
            if (FailPreparation)
            {
                throw new InvalidOperationException("no entropy left");
            }

            var prepared = new ScriptedPreparation(target, "s3cr3t-" + Interlocked.Increment(ref _prepared));
            lock (_unused)
            {
                _unused.Add(prepared);
            }

            return prepared;
        }

        /// <summary>When set, a mint waits for it after signalling <see cref="MintEntered"/>, as a slow outside system would.</summary>
        public TaskCompletionSource? MintGate { get; set; }

        public TaskCompletionSource MintEntered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Mints that prepared for themselves (<see cref="MintAsync"/>): the broker prepares beside its lease row instead.</summary>
        public int UnpreparedMints { get; private set; }

        public Task<MintResult> MintAsync(MintRequest request, RevocationData plan, CancellationToken cancellationToken)
        {
            UnpreparedMints++;
            return MintPreparedAsync(request, plan, Prepare(request.Target), cancellationToken);
        }

        public async Task<MintResult> MintPreparedAsync(MintRequest request, RevocationData plan, MintPreparation prepared, CancellationToken cancellationToken)
        {
            MintCalls++;
            if (MintRefusal is { } refusal)
            {
                throw refusal;
            }

            if (MintGate is { } gate)
            {
                MintEntered.TrySetResult();
                await gate.Task;
            }

            bool fresh;
            lock (_unused)
            {
                fresh = prepared is ScriptedPreparation known && _unused.Remove(known);
            }

            if (prepared is not ScriptedPreparation { } mine || !fresh || !ReferenceEquals(mine.Target, request.Target))
            {
                throw new InvalidOperationException($"The broker passed lease {request.LeaseId} a preparation not made for its target, or already used.");
            }

            lock (_live)
            {
                _live.Add(plan.Require("handle"));
            }

            if (FailMint)
            {
                throw new CredentialRequestException("box_refused", "The box refused the grant halfway; narrow the request.");
            }

            var credential = new IssuedCredential("scripted", new Dictionary<string, string> { ["BOX_TOKEN"] = mine.Token }, new Dictionary<string, string>());
            return new MintResult(credential, plan.With("minted", "yes"), request.NotAfter, Revocability.Immediate, "revoked at once");
        }

        public Task RevokeAsync(RevocationRequest request, CancellationToken cancellationToken)
        {
            RevokeCalls++;
            if (RevokeLeavesAccess)
            {
                return Task.CompletedTask;
            }

            if (RevocationFailuresLeft > 0)
            {
                RevocationFailuresLeft--;
                throw new InvalidOperationException("box API unavailable (503)");
            }

            lock (_live)
            {
                _live.Remove(request.Data.Require("handle"));
            }

            return Task.CompletedTask;
        }

        public Task<VerificationResult> VerifyAsync(RevocationRequest request, CancellationToken cancellationToken)
        {
            VerifyCalls++;
            return Task.FromResult(new VerificationResult(!IsLive(request.Data.Require("handle")), "checked the box's live handles"));
        }
    }

    private sealed class ScriptedPreparation(TargetSettings target, string token) : MintPreparation
    {
        public TargetSettings Target { get; } = target;

        public string Token { get; } = token;
    }

    internal sealed class RecordingScheduler : IRevocationScheduler
    {
        public List<(string LeaseId, DateTimeOffset At)> Leases { get; } = [];

        /// <summary>Makes lease revocations fail to schedule, as when the scheduler's database is unreachable.</summary>
        public bool FailLeases { get; set; }

        public List<(string RequestId, DateTimeOffset At)> Approvals { get; } = [];

        public async Task ScheduleLeaseRevocationAsync(string leaseId, DateTimeOffset at, CancellationToken cancellationToken)
        {
            await Task.Yield(); // like a real scheduler, finish after the caller has moved on to the mint
            if (FailLeases)
            {
                throw new InvalidOperationException("scheduler database unreachable");
            }

            lock (Leases)
            {
                Leases.Add((leaseId, at));
            }
        }

        public List<(string TaskId, DateTimeOffset At)> Deadlines { get; } = [];

        public Task ScheduleTaskDeadlineAsync(string taskId, DateTimeOffset at, CancellationToken cancellationToken)
        {
            Deadlines.Add((taskId, at));
            return Task.CompletedTask;
        }

        public Task ScheduleApprovalExpiryAsync(string requestId, DateTimeOffset at, CancellationToken cancellationToken)
        {
            Approvals.Add((requestId, at));
            return Task.CompletedTask;
        }
    }
}
