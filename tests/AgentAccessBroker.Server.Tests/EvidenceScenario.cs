using AgentAccessBroker.Approvals;
using AgentAccessBroker.Brokering;
using AgentAccessBroker.Domain;
using AgentAccessBroker.Server.Audit;
using AgentAccessBroker.Server.Evidence;
using AgentAccessBroker.Storage;

namespace AgentAccessBroker.Server.Tests;

/// <summary>
/// One task with two automatic grants, one approved request (after a vote the broker refused), one request an approver
/// denied, one the policy denied, then an admin's lock on the task that withdraws a pending request and revokes the
/// three live leases (one revocation fails once and succeeds on retry), the lock lifted and the task completed; then
/// its evidence pack.
/// </summary>
internal sealed class EvidenceScenario : IAsyncDisposable
{
    /// <summary>The agent's stated purpose of the second grant: markup that must reach the report only as text.</summary>
    public const string HostilePurpose = "<script>alert('x')</script><img src=\"https://evil.example/p.png\"> read box one again";

    /// <summary>
    /// The purpose of the request the policy denies: an escape sequence that must show as control pictures and a bidi
    /// override that must be gone.
    /// </summary>
    public const string ControlPurpose = "tidy every box, everything \u001b[2J\u202Etxt.exe";

    /// <summary>The harness policy, plus <c>cellar.*</c>: critical, and the analyzer denies any score above 0 there.</summary>
    public static readonly string Policy = BrokerFlowHarness.PolicyYaml
        .Replace("rules:\n", "sensitivities:\n  critical: { grant_below: 0, deny_at: 1 }\nrules:\n", StringComparison.Ordinal)
        + "\n      - { name: \"cellar.*\", sensitivity: critical, environment: dev }\n";

    /// <summary>The lock's reason as the admin gave it.</summary>
    public const string LockReason = "the agent asked to read every vault entry";

    private readonly string _keyDirectory = Directory.CreateTempSubdirectory("aab-evidence-key-").FullName;

    private EvidenceScenario()
    {
        Key = AuditSigningKey.LoadOrCreate(_keyDirectory);
        PackDirectory = Path.Combine(Directory.CreateTempSubdirectory("aab-evidence-").FullName, "pack");
    }

    public BrokerFlowHarness Flow { get; } = new();

    public AuditSigningKey Key { get; }

    public string PackDirectory { get; }

    public string TaskId { get; private set; } = string.Empty;

    /// <summary>Every token and credential the scenario handed out.</summary>
    public List<string> Secrets { get; } = [];

    public string FailedLeaseId { get; private set; } = string.Empty;

    public EvidencePack Pack { get; private set; } = null!;

    /// <summary>When the admin locked the task: the cut-off every live lease's time to revocation is measured from.</summary>
    public DateTimeOffset LockedAt { get; private set; }

    /// <summary>The request still waiting for an approver when the lock withdrew it.</summary>
    public string WithdrawnRequestId { get; private set; } = string.Empty;

    public static async Task<EvidenceScenario> RunAsync()
    {
        var s = new EvidenceScenario();
        var flow = s.Flow;
        var ct = CancellationToken.None;
        await flow.Store.MigrateAsync(ct);
        flow.LoadPolicy(Policy);
        var (agent, agentToken) = await flow.Registry.RegisterAsync("test", "agent-a", PrincipalRole.Agent, "alice", ct);
        var (admin, adminToken) = await flow.Registry.RegisterAsync("test", "admin", PrincipalRole.Admin, null, ct);
        var (_, bobToken) = await flow.Registry.RegisterAsync("admin", "bob", PrincipalRole.Approver, null, ct);
        var (task, taskToken) = await flow.Tasks.StartAsync(admin, "agent-a", "read box one for the report", ["box.one"], "dev", null, ct);
        s.TaskId = task.Id;
        s.Secrets.AddRange([agentToken, adminToken, bobToken, taskToken]);

        var first = Assert.IsType<RequestOutcome.Granted>(await flow.SubmitReadAsync(agent, task));
        flow.Clock.Advance(TimeSpan.FromMinutes(1));
        var second = Assert.IsType<RequestOutcome.Granted>(await flow.Intake.SubmitAsync(agent, task, BrokerFlowHarness.ReadBoxOne with { Purpose = HostilePurpose }, false, ct));

        // vault.* is tagged pii: the policy sends it to a person whatever the analyzer scores (the scripted connector
        // has no action vocabulary, so the analyzer alone would not hold it).
        var wide = new NewAccessRequest("box", ["vault.*"], ["read"], "read every vault entry the report totals", TimeSpan.FromMinutes(15));
        flow.Clock.Advance(TimeSpan.FromMinutes(1));
        var pending = Assert.IsType<RequestOutcome.PendingApproval>(await flow.Intake.SubmitAsync(agent, task, wide, false, ct));
        Assert.IsType<VoteResult.Rejected>(await flow.Desk.VoteAsync(pending.Request.Id, "mallory", true, "api", null, null, null, ct));
        flow.Clock.Advance(TimeSpan.FromSeconds(30));
        Assert.IsType<VoteResult.Recorded>(await flow.Desk.VoteAsync(pending.Request.Id, "bob", true, "slack", "U0BOB", null, "ok for the tidy-up", ct));
        var approved = Assert.IsType<RequestOutcome.Granted>(await flow.Intake.CheckAsync(agent, pending.Request.Id, ct));

        flow.Clock.Advance(TimeSpan.FromMinutes(1));
        var refused = Assert.IsType<RequestOutcome.PendingApproval>(await flow.Intake.SubmitAsync(agent, task, wide with { Purpose = "read every vault entry again, for the whole afternoon", Duration = TimeSpan.FromHours(4) }, false, ct));
        Assert.IsType<VoteResult.Recorded>(await flow.Desk.VoteAsync(refused.Request.Id, "bob", false, "slack", "U0BOB", null, "once is enough", ct));
        flow.Clock.Advance(TimeSpan.FromSeconds(10));
        Assert.IsType<RequestOutcome.Denied>(await flow.Intake.SubmitAsync(agent, task, wide with { Resources = ["cellar.one"], Purpose = ControlPurpose }, false, ct));

        foreach (var grant in new[] { first, second, approved })
        {
            s.Secrets.AddRange(grant.Credential.Credential.EnvironmentVariables.Values);
            s.Secrets.AddRange(grant.Credential.Credential.Forms.Values);
        }

        // One more wide request waits for an approver when the admin locks the task: the lock withdraws it and
        // revokes the three live leases; the first revocation attempt fails and the retry after the backoff succeeds.
        flow.Clock.Advance(TimeSpan.FromMinutes(1));
        var waiting = Assert.IsType<RequestOutcome.PendingApproval>(await flow.Intake.SubmitAsync(agent, task, wide with { Resources = ["vault.two"], Purpose = "read vault two for the report" }, false, ct));
        s.WithdrawnRequestId = waiting.Request.Id;
        flow.Clock.Advance(TimeSpan.FromMinutes(1));
        flow.Provider.RevocationFailuresLeft = 1;
        s.LockedAt = flow.Clock.GetUtcNow();
        var locked = await flow.Locks.LockAsync(admin, LockSubject.Task, task.Id, LockReason, ct);
        Assert.Equal((2, 1, 1), (locked.Revoked, locked.Failed, locked.Withdrawn));
        var failed = Assert.Single(await flow.Store.ListLeasesAsync(new LeaseQuery(TaskId: task.Id, States: [LeaseState.RevocationFailed]), ct));
        s.FailedLeaseId = failed.Id;
        flow.Clock.Advance(LeaseRevoker.FirstBackoff);
        await flow.Sweep.RunAsync(ct);

        // Lifted and completed minutes later: the task's end comes after every revocation, so the figures must count
        // the time to revocation from the lock, not from the end.
        flow.Clock.Advance(TimeSpan.FromMinutes(3));
        await flow.Locks.LiftAsync(admin, locked.Lock.Id, ct);
        await flow.Tasks.CompleteAsync(admin, task.Id, ct);

        flow.Clock.Advance(TimeSpan.FromMinutes(5));
        s.Pack = await new EvidencePackWriter(flow.Store, s.Key, flow.Clock).BuildAsync(EvidenceScope.ForTask(task.Id), ct);
        s.Pack.WriteTo(s.PackDirectory);
        return s;
    }

    public async ValueTask DisposeAsync()
    {
        Key.Dispose();
        await Flow.DisposeAsync();
        Directory.Delete(_keyDirectory, recursive: true);
        Directory.Delete(Path.GetDirectoryName(PackDirectory)!, recursive: true);
    }
}
