using System.Diagnostics.Metrics;
using AgentAccessBroker.Audit;
using AgentAccessBroker.Brokering;
using AgentAccessBroker.Credentials;
using AgentAccessBroker.Domain;
using AgentAccessBroker.Policy;
using AgentAccessBroker.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentAccessBroker.Testing.Broker;

/// <summary>
/// The broker's revocation path over a real store (SQLite in a temp file) for a connector test: leases are seeded from
/// the connector's real mints (or issued through a node's <see cref="CredentialIssuer"/>), and each <see cref="Node"/> is
/// one broker process (its own provider, issuer, revoker and re-verification), so a "crash" is a new node with nothing in
/// memory.
/// </summary>
public sealed class RevocationSlice : IAsyncDisposable
{
    public const string AgentId = "agent-7";
    public const string TaskId = "task-slice";

    private readonly string _directory = Directory.CreateTempSubdirectory("aab-revocation-slice-").FullName;
    private readonly TimeProvider _clock;
    private readonly ILoggerFactory _loggers;
    private readonly List<LeaseRevoker> _revokers = [];

    private RevocationSlice(TargetSettings target, string resource, TimeProvider clock, ILoggerFactory? loggers)
    {
        _clock = clock;
        _loggers = loggers ?? NullLoggerFactory.Instance;
        Store = new SqliteBrokerStore(Path.Combine(_directory, "broker.db"), clock);
        Policy = new FixedPolicy(target, resource);
    }

    public SqliteBrokerStore Store { get; }

    public IPolicySource Policy { get; }

    /// <param name="resource">The policy resource the target's leases ask for (any pattern; the slice checks nothing).</param>
    public static async Task<RevocationSlice> StartAsync(TargetSettings target, string resource, TimeProvider clock, ILoggerFactory? loggers = null)
    {
        var slice = new RevocationSlice(target, resource, clock, loggers);
        await slice.Store.MigrateAsync(CancellationToken.None);
        var now = clock.GetUtcNow();
        await slice.Store.CreatePrincipalAsync(new Principal(AgentId, PrincipalRole.Agent, "alice", now), "hash-" + AgentId, CancellationToken.None);
        await slice.Store.CreateTaskAsync(new BrokerTask(TaskId, "test work", "alice", AgentId, [], "dev", now, null, TaskState.Active, null), "hash-" + TaskId, CancellationToken.None);
        return slice;
    }

    /// <summary>Writes the lease of a finished mint, active, as the issuer leaves it.</summary>
    /// <param name="attempts">Revocation attempts already failed (eight: the next retry would wait the full ten minutes).</param>
    public async Task<string> SeedAsync(string provider, MintRequest request, MintResult result, int attempts = 0)
    {
        var now = _clock.GetUtcNow();
        var access = new AccessRequest(Ids.New("req"), AgentId, TaskId, request.Target.Name, request.Resources, request.Actions, "test work",
            request.NotAfter - request.Now, now, RequestStatus.Issued, null, null, now, request.LeaseId);
        var lease = new Lease(request.LeaseId, access.Id, TaskId, AgentId, request.Target.Name, provider, request.Resources, request.Actions,
            now, request.NotAfter, LeaseState.Active, result.RevocationData.Values, attempts, null, null, null, null);
        await Store.RecordRequestAsync(access, h => h, lease, [AuditEntries.Lease(AuditEventType.LeaseMinted, "test", lease, "seeded from a real mint")], CancellationToken.None);
        return lease.Id;
    }

    public Node StartNode(ICredentialProvider provider, RevocationLaneOptions? lanes = null, RevocationRecheckOptions? recheck = null)
    {
        var registry = new CredentialProviderRegistry([provider]);
        var revoker = new LeaseRevoker(Store, Store, Policy, registry, new NoScheduler(), _clock, _loggers.CreateLogger<LeaseRevoker>(), lanes);
        lock (_revokers)
        {
            _revokers.Add(revoker);
        }

        var issuer = new CredentialIssuer(Store, Policy, registry, new NoScheduler(), revoker, new BrokerMetrics(new PlainMeters()), _clock, _loggers.CreateLogger<CredentialIssuer>());
        return new Node(revoker, new RevocationRecheck(Store, Store, Policy, registry, revoker, _clock, _loggers.CreateLogger<RevocationRecheck>(), recheck), issuer);
    }

    /// <summary>
    /// Stores a request for the target as approved just now and has <paramref name="node"/> issue it, as the agent's
    /// claim does: the lease row, the mint, and its activation or rollback.
    /// </summary>
    public async Task<RequestOutcome> IssueApprovedAsync(Node node, IReadOnlyList<string> resources, IReadOnlyList<string> actions, TimeSpan duration)
    {
        var now = _clock.GetUtcNow();
        var target = Policy.Current.Targets.Single().Name;
        var request = new AccessRequest(Ids.New("req"), AgentId, TaskId, target, resources, actions, "test work", duration, now, RequestStatus.Approved, null, duration, now, null);
        await Store.RecordRequestAsync(request, h => h, null, [], CancellationToken.None);
        return await node.Issuer.IssueAsync(new Issuance.Approved(request, null, "bob"), CancellationToken.None);
    }

    public Task<IReadOnlyList<AuditEvent>> AuditAsync() => AuditTrail.ReadAllAsync(Store);

    public async ValueTask DisposeAsync()
    {
        foreach (var revoker in _revokers)
        {
            revoker.Dispose();
        }

        await Store.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    public sealed record Node(LeaseRevoker Revoker, RevocationRecheck Recheck, CredentialIssuer Issuer);

    private sealed class PlainMeters : IMeterFactory
    {
        public Meter Create(MeterOptions options) => new(options);

        public void Dispose()
        {
        }
    }

    private sealed class NoScheduler : IRevocationScheduler
    {
        public Task ScheduleLeaseRevocationAsync(string leaseId, DateTimeOffset at, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task ScheduleApprovalExpiryAsync(string requestId, DateTimeOffset at, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class FixedPolicy(TargetSettings target, string resource) : IPolicySource
    {
        public BrokerPolicy Current { get; } = PolicyLoader.Load(
            "version: 1\n"
            + $"agents: [{{ id: {AgentId}, owner: alice }}]\n"
            + "approver_groups: [{ name: ops, members: [{ id: bob }] }]\n"
            + "targets:\n"
            + $"  - name: {target.Name}\n"
            + $"    connector: {target.Connector}\n"
            + "    approvers: ops\n"
            + "    settings:\n"
            + string.Concat(target.Settings.Select(kv => $"      {kv.Key}: \"{kv.Value}\"\n"))
            + string.Concat(target.SecretReferences.Select(kv =>
                $"      {kv.Key}: {{ {(kv.Value.Source == SecretSource.File ? "file" : "env")}: \"{kv.Value.Location}\" }}\n"))
            + $"    resources: [{{ name: \"{resource}\", sensitivity: low, environment: dev }}]\n",
            "revocation-slice.yaml",
            _ => []).Policy ?? throw new InvalidOperationException("The slice's policy is invalid.");
    }
}
