using System.Diagnostics;
using AgentAccessBroker.Audit;
using AgentAccessBroker.Brokering;
using AgentAccessBroker.Credentials;
using AgentAccessBroker.Domain;
using AgentAccessBroker.Policy;
using AgentAccessBroker.Storage;
using AgentAccessBroker.Testing;
using AgentAccessBroker.Testing.Broker;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace AgentAccessBroker.Benchmarks;

/// <summary>
/// Revocation at scale (issue 23) on one PostgreSQL table of a real broker node: capacity (live leases on one table
/// that all mint), flat cost (mint and revocation rates with many live leases against few), and the floor (the same
/// revocations done directly in SQL). Mints go through the connector and each lease row through the store, as the
/// issuer writes it; revocations go through the broker's <see cref="LeaseRevoker"/> (lanes, deadlines, verify).
/// </summary>
internal sealed class RevocationScaleBenchmark(TextWriter output, int live)
{
    private const int Batch = 100;
    private const int MintParallelism = 4;
    private readonly int _live = live;

    public async Task<BenchmarkReport> RunAsync(CancellationToken cancellationToken)
    {
        var load = MachineReport.LoadAverage();
        var postgres = new PostgresFixture();
        await postgres.InitializeAsync();
        try
        {
            await using var host = await BrokerHost.StartAsync(postgres, requestsPerMinute: 100_000_000);
            var services = host.App.Services;
            var provider = services.GetServices<ICredentialProvider>().Single(p => p.Name == "postgresql");
            var target = services.GetRequiredService<IPolicySource>().Current.FindTarget("app-db")!.Settings;
            var store = services.GetRequiredService<IBrokerStore>();
            var revoker = services.GetRequiredService<LeaseRevoker>();
            var (admin, _) = await services.GetRequiredService<PrincipalRegistry>().RegisterAsync("bench", "bench-admin", PrincipalRole.Admin, null, cancellationToken);
            await services.GetRequiredService<PrincipalRegistry>().RegisterAsync("bench", "agent-a", PrincipalRole.Agent, "alice", cancellationToken);
            var (task, _) = await services.GetRequiredService<TaskLifecycle>().StartAsync(admin, "agent-a", "benchmark revocation at scale", [$"{host.Database}.public.invoices"], "dev", null, cancellationToken);
            var resource = $"{host.Database}.public.invoices";
            var notes = new List<string>();
            var results = new List<LatencySummary>();

            // Few live leases: mint and revoke a batch.
            var few = await MintAsync(provider, store, target, task, resource, Batch, cancellationToken);
            results.Add(few.Summary("mint (connector + lease row) at 0-100 live leases, 4 at a time"));
            var revokeFew = await RevokeAsync(revoker, few.Leases, cancellationToken);
            results.Add(revokeFew.Summary("revoke + verify at 100 live leases, one batch through the lanes"));

            // Many live leases on the same table.
            var bulk = await MintAsync(provider, store, target, task, resource, _live - Batch, cancellationToken);
            var acl = await ScalarAsync<int>(postgres, host.Database, "SELECT cardinality(relacl) FROM pg_class WHERE oid = 'public.invoices'::regclass");
            var late = await MintAsync(provider, store, target, task, resource, Batch, cancellationToken);
            results.Add(late.Summary($"mint at {_live - Batch:N0}-{_live:N0} live leases"));
            var revokeMany = await RevokeAsync(revoker, late.Leases, cancellationToken);
            results.Add(revokeMany.Summary($"revoke + verify at {_live:N0} live leases, one batch through the lanes"));

            // The floor: the same statements the connector runs, straight from one connection per lane slot.
            var floorRoles = bulk.Roles.Take(Batch).ToList();
            var floor = await RevokeInSqlAsync(postgres, host.Database, floorRoles, cancellationToken);
            results.Add(floor.Summary($"the same revocation directly in SQL at {_live - Batch:N0} live leases, 4 connections"));

            notes.Add($"capacity: {few.Leases.Count + bulk.Leases.Count + late.Leases.Count:N0} leases minted on one table ({resource}), {bulk.Failures + few.Failures + late.Failures} failed; the table's ACL has {acl} entries (owner, broker, one grant group)");
            notes.Add($"flat cost, mint: {late.Rate:N1}/s at {_live:N0} live against {few.Rate:N1}/s at 100 = {late.Rate / few.Rate:P0}");
            notes.Add($"flat cost, revocation: {revokeMany.Rate:N1}/s at {_live:N0} live against {revokeFew.Rate:N1}/s at 100 = {revokeMany.Rate / revokeFew.Rate:P0}");
            notes.Add($"floor: the broker revokes at {revokeMany.Rate:N1}/s, direct SQL at {floor.Rate:N1}/s = {revokeMany.Rate / floor.Rate:P0} of the floor (the broker also verifies each revocation and writes its lease row and audit events)");
            output.WriteLine(string.Join(Environment.NewLine, notes));
            return new BenchmarkReport(load, "Revocation at scale: one table, many live leases (issue 23)", results, notes);
        }
        finally
        {
            await postgres.DisposeAsync();
        }
    }

    internal sealed record Run(List<string> Leases, List<string> Roles, List<long> Ticks, TimeSpan Took, int Failures)
    {
        public double Rate => Leases.Count / Took.TotalSeconds;

        public LatencySummary Summary(string name) => LatencySummary.From(name, MintParallelism, Ticks.ToArray(), Ticks.Count, Took);
    }

    private Task<Run> MintAsync(
        ICredentialProvider provider, IBrokerStore store, TargetSettings target, BrokerTask task, string resource, int count, CancellationToken cancellationToken) =>
        MintAsync(output, provider, store, target, task, resource, count, cancellationToken);

    /// <summary>Mints <paramref name="count"/> leases of two hours, 4 at a time, each with its lease row written as the issuer writes it.</summary>
    internal static async Task<Run> MintAsync(
        TextWriter output, ICredentialProvider provider, IBrokerStore store, TargetSettings target, BrokerTask task, string resource, int count, CancellationToken cancellationToken)
    {
        var leases = new List<string>();
        var roles = new List<string>();
        var times = new List<long>();
        var failures = 0;
        var started = Stopwatch.GetTimestamp();
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = MintParallelism, CancellationToken = cancellationToken }, async (_, ct) =>
        {
            var one = Stopwatch.GetTimestamp();
            var now = DateTimeOffset.UtcNow;
            var leaseId = Ids.New("lease");
            var request = new MintRequest(leaseId, task.Id, task.AgentId, target, [resource], ["SELECT"], now, now.AddHours(2));
            try
            {
                var plan = provider.Plan(request);
                var access = new AccessRequest(Ids.New("req"), task.AgentId, task.Id, "app-db", [resource], ["SELECT"], "benchmark", TimeSpan.FromHours(2), now, RequestStatus.Issued, null, null, now, leaseId);
                var lease = new Lease(leaseId, access.Id, task.Id, task.AgentId, "app-db", provider.Name, [resource], ["SELECT"], now, now.AddHours(2), LeaseState.Minting,
                    plan.Values, 0, null, null, null, null);
                await store.RecordRequestAsync(access, h => h, lease, [AuditEntries.Lease(AuditEventType.LeaseMinted, "bench", lease, "minting")], ct);
                var result = await provider.MintAsync(request, plan, ct);
                await store.ActivateLeaseAsync(leaseId, result.RevocationData.Values, AuditEntries.Lease(AuditEventType.LeaseMinted, "bench", lease, "minted"), ct);
                lock (leases)
                {
                    leases.Add(leaseId);
                    roles.Add(result.RevocationData.Require("role"));
                    times.Add(Stopwatch.GetTimestamp() - one);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                if (Interlocked.Increment(ref failures) <= 3)
                {
                    output.WriteLine($"mint failed: {e.GetType().Name}: {e.Message}");
                }
            }
        });
        return new Run(leases, roles, times, Stopwatch.GetElapsedTime(started), failures);
    }

    private static async Task<Run> RevokeAsync(LeaseRevoker revoker, List<string> leases, CancellationToken cancellationToken)
    {
        var times = new List<long>();
        var started = Stopwatch.GetTimestamp();
        var outcomes = await Task.WhenAll(leases.Select(async id =>
        {
            var one = Stopwatch.GetTimestamp();
            var outcome = await revoker.RevokeAsync(id, "bench", "benchmark", onlyIfDue: false, cancellationToken);
            lock (times)
            {
                times.Add(Stopwatch.GetTimestamp() - one);
            }

            return outcome;
        }));
        return new Run(leases, [], times, Stopwatch.GetElapsedTime(started), outcomes.Count(o => o != RevocationOutcome.Revoked));
    }

    private static async Task<Run> RevokeInSqlAsync(PostgresFixture postgres, string database, List<string> roles, CancellationToken cancellationToken)
    {
        var times = new List<long>();
        var queue = new System.Collections.Concurrent.ConcurrentQueue<string>(roles);
        var started = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, MintParallelism).Select(async _ =>
        {
            await using var admin = new NpgsqlConnection(postgres.Cluster.ConnectionString("postgres"));
            await admin.OpenAsync(cancellationToken);
            await using var db = new NpgsqlConnection(postgres.Cluster.ConnectionString(database));
            await db.OpenAsync(cancellationToken);
            while (queue.TryDequeue(out var role))
            {
                var one = Stopwatch.GetTimestamp();
                var quoted = "\"" + role + "\"";
                await ExecuteAsync(admin, $"ALTER ROLE {quoted} NOLOGIN; ALTER ROLE {quoted} VALID UNTIL 'now'; SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '{role}'", cancellationToken);
                await ExecuteAsync(db, $"BEGIN; REASSIGN OWNED BY {quoted} TO CURRENT_USER; DROP OWNED BY {quoted}; COMMIT", cancellationToken);
                await ExecuteAsync(admin, $"DROP ROLE {quoted}", cancellationToken);
                lock (times)
                {
                    times.Add(Stopwatch.GetTimestamp() - one);
                }
            }
        }));
        return new Run(roles, roles, times, Stopwatch.GetElapsedTime(started), 0);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<T> ScalarAsync<T>(PostgresFixture postgres, string database, string sql)
    {
        await using var connection = new NpgsqlConnection(postgres.Cluster.ConnectionString(database));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }
}
