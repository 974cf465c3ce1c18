using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using AgentAccessBroker.Brokering;
using AgentAccessBroker.Client;
using AgentAccessBroker.Credentials;
using AgentAccessBroker.Decisions;
using AgentAccessBroker.Domain;
using AgentAccessBroker.Policy;
using AgentAccessBroker.Security;
using AgentAccessBroker.Storage;
using AgentAccessBroker.Testing;
using AgentAccessBroker.Testing.Broker;
using Microsoft.Extensions.DependencyInjection;

namespace AgentAccessBroker.Benchmarks;

/// <summary>
/// Issue 2's benchmark: a real broker (SQLite store, Kestrel on loopback) and a throwaway PostgreSQL cluster; requests
/// per second and p50/p99 at 1 and 32 concurrent agents for (a) a dry-run decision, (b) a full grant that mints a
/// PostgreSQL login role, and (c) the PostgreSQL provider's own Plan + MintAsync, called directly on the same provider
/// instance the broker uses, so that (b) − (c) is the broker's own overhead. Every lease is revoked before it ends.
/// </summary>
internal sealed class BrokerLoadBenchmark(TextWriter output, bool quick, int[] levels)
{
    private const int AgentCount = 32;

    // The intent analyzer adds risk from an agent's fifth request within 60 s (velocity), which escalates this
    // benchmark's grant to a human. Grants therefore rotate over their own agents, at most four each: the load of many
    // agents asking now and then, not one agent hammering the broker.
    private const int GrantsPerAgent = 4;
    private const int MaxWarmUpRounds = 8;
    private const string Target = "app-db";
    private static readonly TimeSpan RunLimit = TimeSpan.FromSeconds(90);

    // (b), in-process (b) and (c) in turn, with the revocations between rounds: 0.1–0.2 s a round.
    private static readonly TimeSpan InTurnLimit = TimeSpan.FromMinutes(12);
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    private readonly List<LatencySummary> _results = [];
    private readonly List<string> _notes = [];
    private BrokerHost _host = null!;
    private BrokerClient _admin = null!;
    private ICredentialProvider _provider = null!;
    private TargetSettings _target = null!;
    private byte[] _dryRun = [];
    private byte[] _grant = [];
    private MintTimes _mints = null!;

    public async Task<BenchmarkReport> RunAsync(CancellationToken cancellationToken)
    {
        var load = MachineReport.LoadAverage();
        var postgres = new PostgresFixture();
        await postgres.InitializeAsync();
        try
        {
            await using var host = await BrokerHost.StartAsync(postgres, requestsPerMinute: 100_000_000);
            _host = host;
            var fresh = await RegisterAgentsAsync("bench", AgentCount);
            var longHistory = await RegisterAgentsAsync("bench-h", AgentCount);
            var grantAgents = await RegisterAgentsAsync("bench-g", levels.Sum(l => GrantAgentsFor(l)));
            var adminToken = (await File.ReadAllTextAsync(Path.Combine(host.DataDirectory, "admin.token"), cancellationToken)).Trim();
            // Completing a task revokes its leases one by one inside the call: give it more than the client's default 30 s.
            using var admin = new BrokerClient(host.Address, adminToken, timeout: TimeSpan.FromMinutes(10));
            _admin = admin;
            _provider = host.App.Services.GetServices<ICredentialProvider>().Single(p => p.Name == "postgresql");
            using var mints = new MintTimes(host.App.Services.GetRequiredService<IMeterFactory>());
            _mints = mints;
            _target = host.App.Services.GetRequiredService<IPolicySource>().Current.FindTarget(Target)!.Settings;
            _dryRun = Body(dryRun: true);
            _grant = Body(dryRun: false);

            var used = 0;
            foreach (var level in levels)
            {
                await RunLevelAsync(fresh, longHistory, grantAgents.Skip(used).Take(GrantAgentsFor(level)).ToList(), level, cancellationToken);
                used += GrantAgentsFor(level);
            }

            foreach (var level in levels)
            {
                _results.AddRange(await BrokerPathProbe.RunAsync(host, fresh[0].Token, level, cancellationToken));
            }

            _notes.Add(BrokerPathProbe.SqliteSleepGranularity());
            var left = await BrokerHost.QueryAsync(postgres.Cluster.ConnectionString(host.Database), @"SELECT count(*) FROM pg_roles WHERE rolname LIKE 'aab\_lease\_%'");
            _notes.Add($"login roles left on the cluster after the run: {left} (must be 0)");
            if (Convert.ToInt64(left, CultureInfo.InvariantCulture) != 0)
            {
                throw new InvalidOperationException($"{left} minted login roles were not revoked.");
            }
        }
        finally
        {
            await postgres.DisposeAsync();
        }

        return new BenchmarkReport(load, "Broker REST API (SQLite store, PostgreSQL provider)", _results, LevelSummaries().Concat(_notes).ToList());
    }

    /// <summary>The concurrency levels the issue asks for: one agent, and 32 at once.</summary>
    public static int[] Levels => [1, AgentCount];

    private (int DryRuns, int Grants) Counts(int level)
    {
        // At one agent, 1,800 rounds: with 600, the p50s of (b) and (c) moved by ±0.3 ms between runs of the same code
        // (see MedianInterval), as much as the question the target asks.
        var (dryRuns, grants) = level == 1 ? (3_000, 1_800) : (9_600, 640);
        return quick ? (dryRuns / 10, grants / 10) : (dryRuns, grants);
    }

    /// <summary>
    /// Warm-up grants plus measured ones (at concurrency 1, over HTTP and in-process), four per agent, and one more
    /// agent a worker, whose last agent may be left with fewer.
    /// </summary>
    private int GrantAgentsFor(int level)
    {
        var grants = level == 1 ? WarmUpGrants(level) + (2 * Counts(level).Grants) : WarmUpGrants(level) + Counts(level).Grants;
        return ((grants + GrantsPerAgent - 1) / GrantsPerAgent) + level;
    }

    /// <summary>
    /// Grants per warm-up round (see <see cref="LoadRunner.WarmUpAsync"/>): .NET recompiles a method after 30 calls, and
    /// the grant path's own code (the mint, Npgsql's statements) runs once per grant.
    /// </summary>
    private static int WarmUpGrantsPerRound(int level) => Math.Max(40, level);

    private static int WarmUpGrants(int level) => MaxWarmUpRounds * 2 * WarmUpGrantsPerRound(level);

    private async Task RunLevelAsync(
        IReadOnlyList<(string Id, string Token)> fresh, IReadOnlyList<(string Id, string Token)> longHistory, IReadOnlyList<(string Id, string Token)> grantAgents,
        int level, CancellationToken cancellationToken)
    {
        var (dryRuns, grants) = Counts(level);

        output.WriteLine($"[{DateTime.Now:HH:mm:ss}] concurrency {level}: {dryRuns:N0} dry runs (twice), {grants:N0} grants, {grants:N0} direct mints; load average {MachineReport.LoadAverage()}; {MachineReport.SpeedReference()}");
        var agents = await StartTasksAsync(fresh.Take(level), cancellationToken);
        var veterans = await StartTasksAsync(longHistory.Take(level), cancellationToken);
        var granted = new GrantRotation(await StartTasksAsync(grantAgents, cancellationToken));
        await GiveLongHistoriesAsync(veterans, cancellationToken);
        if (level == 1)
        {
            await ProbeAssessorAsync(agents[0], cancellationToken);
        }

        var minted = new List<RevocationRequest>();
        try
        {
            // Warm-up, not measured: connection pools (HTTP, SQLite, Npgsql) filled to this concurrency, and every path
            // run until the JIT has nothing left to recompile.
            var (compiled, quiet) = await LoadRunner.WarmUpAsync(
                async () =>
                {
                    await LoadRunner.RunAsync("warm-up", level, Math.Max(250, 10 * level), RunLimit, (w, _) => agents[w].SubmitAsync(_dryRun, "evaluated"), cancellationToken);
                    await LoadRunner.RunAsync("warm-up", level, Math.Max(250, 10 * level), RunLimit, (w, _) => veterans[w].SubmitAsync(_dryRun, "evaluated"), cancellationToken);
                    await LoadRunner.RunAsync("warm-up", level, WarmUpGrantsPerRound(level), RunLimit, (w, _) => granted.Next(w).SubmitAsync(_grant, "granted"), cancellationToken);
                    await LoadRunner.RunAsync("warm-up", level, WarmUpGrantsPerRound(level), RunLimit, (w, _) => MintAsync(agents[w].Id, minted), cancellationToken);
                    await LoadRunner.RunAsync("warm-up", level, Math.Max(250, 10 * level), RunLimit, (w, _) => DecideInProcessAsync(agents[w], cancellationToken), cancellationToken);
                    await LoadRunner.RunAsync("warm-up", level, WarmUpGrantsPerRound(level), RunLimit, (w, _) => GrantInProcessAsync(granted.Next(w), cancellationToken), cancellationToken);
                },
                MaxWarmUpRounds,
                cancellationToken);
            _notes.Add($"concurrency {level}: warm-up rounds of every path until the JIT all but stopped; methods compiled per round: {string.Join(", ", compiled)}" +
                (quiet ? string.Empty : " (still compiling: numbers may include unoptimised code)"));

            _results.Add(await LoadRunner.RunAsync("(a) decision only (dry run)", level, dryRuns, RunLimit,
                (w, _) => agents[w].SubmitAsync(_dryRun, "evaluated"), cancellationToken));
            _results.Add(await LoadRunner.RunAsync("[part] (a) without HTTP: same calls in-process", level, dryRuns, RunLimit,
                (w, _) => DecideInProcessAsync(agents[w], cancellationToken), cancellationToken));
            _results.Add(await LoadRunner.RunAsync($"[more] (a) for agents with {AssessmentCases.HistoryEvents:N0}-event histories", level, dryRuns, RunLimit,
                (w, _) => veterans[w].SubmitAsync(_dryRun, "evaluated"), cancellationToken));
            _results.Add(await LoadRunner.RunAsync("[part] HTTP floor: GET /healthz (one store read)", level, dryRuns, RunLimit,
                (w, _) => agents[w].HealthAsync(), cancellationToken));

            // After the dry runs, which mint nothing: the revocations' catalogue work (and the clean-up PostgreSQL
            // does after it) would otherwise share their moments.
            var warmUpRoles = await RevokeLiveAsync(minted, cancellationToken);
            _notes.Add($"concurrency {level}: the {warmUpRoles} roles minted in the warm-up were revoked before measuring grants");

            if (level == 1)
            {
                // One at a time, in turn, so that all three see the same moments of the shared machine. Each grant is
                // also set against the mint it contained (paired), which removes the mint's own spread from (b) − (c).
                List<long> pairedHttp = [], pairedInProcess = [];
                List<double> mintsInside = [];
                var (collections, allocated) = (GC.CollectionCount(0), GC.GetTotalAllocatedBytes());
                var (collectionsBetween, allocatedBetween) = (0, 0L);
                await granted.KeepNextConnectedAsync(2);
                var connections = AgentSession.ConnectionsOpened;
                var (inTurn, roundMs) = await LoadRunner.RunInTurnAsync(
                    [
                        ("(b) full grant (mints a login role)", () => PairedAsync(() => granted.Next().SubmitAsync(_grant, "granted"), pairedHttp, mintsInside)),
                        ("[part] (b) without HTTP: same calls in-process", () => PairedAsync(() => GrantInProcessAsync(granted.Next(), cancellationToken), pairedInProcess, mintsInside)),
                        ("(c) provider Plan + MintAsync, direct", () => MintAsync(agents[0].Id, minted)),
                    ],
                    grants,
                    InTurnLimit,
                    async () =>
                    {
                        var (c0, a0, opened) = (GC.CollectionCount(0), GC.GetTotalAllocatedBytes(), AgentSession.ConnectionsOpened);
                        await RevokeLiveAsync(minted, cancellationToken);
                        await granted.KeepNextConnectedAsync(2);
                        collectionsBetween += GC.CollectionCount(0) - c0;
                        allocatedBetween += GC.GetTotalAllocatedBytes() - a0;
                        connections += AgentSession.ConnectionsOpened - opened;
                    },
                    cancellationToken);
                _results.AddRange(inTurn);
                var rounds = pairedHttp.Count;
                _notes.Add(ConnectionsNote(level, AgentSession.ConnectionsOpened - connections));
                _notes.Add(string.Create(CultureInfo.InvariantCulture,
                    $"concurrency 1: the process (broker, load generator and direct mints together) allocated {(GC.GetTotalAllocatedBytes() - allocated - allocatedBetween) / 1024.0 / rounds:N0} KB " +
                    $"and ran {(GC.CollectionCount(0) - collections - collectionsBetween) / (double)rounds:0.00} gen0 collections per round of (b), in-process (b) and (c) (not counting the revocations between rounds)"));
                _notes.Add($"concurrency 1: p50(b) − p50(c) = {MedianInterval.DifferenceOfMedians(roundMs[0], roundMs[2])}, resampling the {rounds} grants and {rounds} direct mints");
                _notes.Add($"concurrency 1: (b) minus the direct mint (c) of the same round, per round: p50 {MedianInterval.OfMedian([.. roundMs[0].Zip(roundMs[2], (b, c) => b - c)])}");
                _notes.Add($"concurrency 1: deciles (10 % … 90 %) of (b): {Deciles(roundMs[0])}; of (c): {Deciles(roundMs[2])}");
                _notes.Add(Paired("concurrency 1: (b) minus the mint inside the same grant, per grant", pairedHttp));
                _notes.Add(Paired("concurrency 1: in-process (b) minus the mint inside the same grant, per grant", pairedInProcess));
                var direct = _results.Single(r => r.Concurrency == 1 && r.Name.StartsWith("(c)", StringComparison.Ordinal));
                _notes.Add(string.Create(CultureInfo.InvariantCulture,
                    $"concurrency 1: the {mintsInside.Count} mints inside those grants (both kinds) took p50 {LatencySummary.Median(mintsInside):0.00} ms; the direct mints of (c) {direct.P50Ms:0.00} ms"));
            }
            else
            {
                await granted.KeepNextConnectedAsync(grants);
                var (before, connections) = (_mints.Count, AgentSession.ConnectionsOpened);
                var grantRun = await LoadRunner.RunAsync("(b) full grant (mints a login role)", level, grants, RunLimit,
                    (w, _) => granted.Next(w).SubmitAsync(_grant, "granted"), cancellationToken);
                _results.Add(grantRun);
                _notes.Add(ConnectionsNote(level, AgentSession.ConnectionsOpened - connections));
                var inside = _mints.Since(before);
                var insideP50 = LatencySummary.Median(inside);
                _notes.Add(string.Create(CultureInfo.InvariantCulture,
                    $"concurrency {level}: the {inside.Count} mints inside those grants took p50 {insideP50:0.00} ms; (b) p50 minus that = {grantRun.P50Ms - insideP50:0.00} ms"));
                _results.Add(await LoadRunner.RunAsync("(c) provider Plan + MintAsync, direct", level, grants, RunLimit,
                    (w, _) => MintAsync(agents[w].Id, minted), cancellationToken));
            }
        }
        finally
        {
            await CleanUpAsync([.. agents, .. veterans, .. granted.Sessions], minted, level);
        }
    }

    private async Task<List<AgentSession>> StartTasksAsync(IEnumerable<(string Id, string Token)> agents, CancellationToken cancellationToken)
    {
        var sessions = new List<AgentSession>();
        foreach (var (id, token) in agents)
        {
            var task = await _admin.StartTaskAsync(new StartTaskBody(id, "Fix the failing billing export: invoice totals are missing", ["invoices"], "dev", null), cancellationToken);
            var session = new AgentSession(id, task.Task.Id, _host.Address, token, task.TaskToken);

            // Open the agent's connection now: an agent keeps one for its whole task, so setting it up (TCP, Kestrel's
            // connection state) is not part of a request's cost. Without this, half the measured grants paid for it.
            await session.HealthAsync();
            sessions.Add(session);
        }

        return sessions;
    }

    /// <summary>
    /// Stores, for each agent and its current task, the aggregates of a 10,000-event past (folded in memory once: the
    /// fold is pure, so the rows are what recording the events one by one would leave).
    /// </summary>
    private async Task GiveLongHistoriesAsync(List<AgentSession> agents, CancellationToken cancellationToken)
    {
        var template = SyntheticEvent.Fold("template", AssessmentCases.HistoryEvents);
        var store = _host.App.Services.GetRequiredService<IBrokerStore>();
        foreach (var agent in agents)
        {
            var history = new BehaviourHistory(template.Agent with { AgentId = agent.Id }, template.Task with { AgentId = agent.Id, TaskId = agent.TaskId });
            await store.UpdateHistoryAsync(agent.Id, agent.TaskId, _ => history, cancellationToken);
        }
    }

    private async Task ProbeAssessorAsync(AgentSession agent, CancellationToken cancellationToken)
    {
        using var client = _host.ClientFor(agent.Token, agent.TaskToken);
        var probe = await client.SubmitRequestAsync(_host.ReadInvoices("15m") with { DryRun = true }, cancellationToken);
        var assessment = probe.Request.Assessment!;
        _notes.Add($"the broker's assessor: {assessment.Analyzer}; the benchmark request (SELECT on one medium table, 15m) scores {assessment.Score}: " +
            $"{assessment.Decision} ({string.Join(", ", assessment.Factors.Select(f => $"{f.Code} {f.Points:+0;-0;0}"))})");
        output.WriteLine(_notes[^1]);
    }

    /// <summary>
    /// Revokes, untimed, every credential minted so far: the broker's active leases through its own revoker, the direct
    /// mints through the provider. Measurements then mint against the catalogue a running broker keeps, whose leases end
    /// as others begin, instead of one grown by every earlier grant: each live role is one more entry in the granted
    /// table's ACL, which PostgreSQL rewrites on every GRANT, and 1,800 of them made a mint 20 → 36 ms and widened its
    /// spread. Returns how many roles were revoked.
    /// </summary>
    private async Task<int> RevokeLiveAsync(List<RevocationRequest> minted, CancellationToken cancellationToken)
    {
        var services = _host.App.Services;
        var revoker = services.GetRequiredService<LeaseRevoker>();
        var live = await services.GetRequiredService<IBrokerStore>().ListLeasesAsync(new LeaseQuery(States: [LeaseState.Active], Limit: 100_000), cancellationToken);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(live, parallel, async (lease, ct) =>
        {
            if (await revoker.RevokeAsync(lease.Id, "benchmark", "measured grant done", onlyIfDue: false, ct) != RevocationOutcome.Revoked)
            {
                throw new InvalidOperationException($"The broker could not revoke lease {lease.Id}.");
            }
        });

        List<RevocationRequest> direct;
        lock (minted)
        {
            direct = [.. minted];
            minted.Clear();
        }

        await Parallel.ForEachAsync(direct, parallel, async (request, ct) => await _provider.RevokeAsync(request, ct));
        return live.Count + direct.Count;
    }

    /// <summary>Completes every task (the broker revokes its leases) and revokes the directly minted roles.</summary>
    private async Task CleanUpAsync(List<AgentSession> agents, List<RevocationRequest> minted, int level)
    {
        int revoked = 0, failed = 0;
        var started = Stopwatch.GetTimestamp();
        await Parallel.ForEachAsync(agents, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (agent, ct) =>
        {
            var completed = await _admin.CompleteTaskAsync(agent.TaskId, ct);
            Interlocked.Add(ref revoked, completed.LeasesRevoked);
            Interlocked.Add(ref failed, completed.RevocationsFailed);
        });
        var brokerElapsed = Stopwatch.GetElapsedTime(started);

        started = Stopwatch.GetTimestamp();
        await Parallel.ForEachAsync(minted, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (request, ct) => await _provider.RevokeAsync(request, ct));
        var directElapsed = Stopwatch.GetElapsedTime(started);
        foreach (var agent in agents)
        {
            agent.Dispose();
        }

        _notes.Add(string.Create(CultureInfo.InvariantCulture,
            $"clean-up after concurrency {level}: completing {agents.Count} task(s) revoked {revoked} broker lease(s) in {brokerElapsed.TotalSeconds:0.0} s " +
            $"({failed} failed); {minted.Count} directly minted role(s) revoked in {directElapsed.TotalSeconds:0.0} s (4 at a time)"));
        if (failed > 0)
        {
            throw new InvalidOperationException($"{failed} lease revocations failed.");
        }
    }

    /// <summary>What the submit endpoint does for a dry run, minus HTTP and JSON: authenticate, find the task, decide.</summary>
    private Task DecideInProcessAsync(AgentSession agent, CancellationToken cancellationToken) =>
        SubmitInProcessAsync<RequestOutcome.Evaluated>(agent, dryRun: true, cancellationToken);

    /// <summary>The same for a grant: authenticate, find the task, decide, record, mint.</summary>
    private Task GrantInProcessAsync(AgentSession agent, CancellationToken cancellationToken) =>
        SubmitInProcessAsync<RequestOutcome.Granted>(agent, dryRun: false, cancellationToken);

    private async Task SubmitInProcessAsync<TExpected>(AgentSession agent, bool dryRun, CancellationToken cancellationToken)
        where TExpected : RequestOutcome
    {
        var services = _host.App.Services;
        var principal = await services.GetRequiredService<PrincipalRegistry>().AuthenticateAsync(agent.Token, cancellationToken)
            ?? throw new InvalidOperationException("agent token not recognised");
        var store = services.GetRequiredService<IBrokerStore>();
        var body = _host.ReadInvoices("15m");
        var input = new NewAccessRequest(body.Target, body.Resources, body.Actions, body.Purpose, TimeSpan.FromMinutes(15));

        // The task is looked up where the REST endpoint looks it up: before the intake.
        var task = await store.FindTaskByTokenHashAsync(TokenHasher.Hash(agent.TaskToken), cancellationToken) ?? throw new InvalidOperationException("task token not recognised");
        var outcome = await services.GetRequiredService<AccessRequestIntake>().SubmitAsync(principal, task, input, dryRun, cancellationToken);
        if (outcome is not TExpected)
        {
            throw new InvalidOperationException($"expected {typeof(TExpected).Name}, got {outcome.GetType().Name}");
        }
    }

    /// <summary>Runs one grant and records its latency minus the provider's mint time inside it.</summary>
    private async Task PairedAsync(Func<Task> grant, List<long> overheads, List<double> mints)
    {
        var before = _mints.Count;
        var started = Stopwatch.GetTimestamp();
        await grant();
        var elapsed = Stopwatch.GetTimestamp() - started;
        var mint = _mints.Since(before) is [var only] ? only : throw new InvalidOperationException("Expected exactly one mint inside the grant.");
        overheads.Add(elapsed - (long)(mint * Stopwatch.Frequency / 1000));
        mints.Add(mint);
    }

    private static string Deciles(double[] ms)
    {
        var sorted = ms.Order().ToArray();
        return string.Join(" ", Enumerable.Range(1, 9).Select(d => LatencySummary.Quantile(sorted, d / 10.0).ToString("0.0", CultureInfo.InvariantCulture))) + " ms";
    }

    private static string ConnectionsNote(int level, int opened) =>
        $"concurrency {level}: new connections opened by the measured grants over HTTP: {opened} (must be 0: an agent keeps its connection for its whole task)";

    private static string Paired(string name, List<long> overheads)
    {
        var summary = LatencySummary.From(name, 1, [.. overheads], overheads.Count, TimeSpan.Zero);
        var p50 = MedianInterval.OfMedian([.. overheads.Select(LatencySummary.ToMs)]);
        return string.Create(CultureInfo.InvariantCulture,
            $"{name} ({summary.Count} grants): p50 {LatencySummary.Format(summary.P50Ms)} (95 % interval {p50.Low:0.00}–{p50.High:0.00} ms), p90 {LatencySummary.Format(summary.P90Ms)}, p99 {LatencySummary.Format(summary.P99Ms)} " +
            $"(target ≤ 2 ms at p50: {(summary.P50Ms <= 2 ? "met" : "missed")})");
    }

    private async Task MintAsync(string agentId, List<RevocationRequest> minted)
    {
        var now = TimeProvider.System.GetUtcNow();
        var request = new MintRequest(Ids.New("lease"), "bench-direct", agentId, _target, [$"{_host.Database}.public.invoices"], ["SELECT"], now, now.AddMinutes(15));
        var plan = _provider.Plan(request);
        var result = await _provider.MintAsync(request, plan, CancellationToken.None);
        lock (minted)
        {
            minted.Add(new RevocationRequest(request.LeaseId, _target, result.RevocationData, result.ExpiresAt, now));
        }
    }

    /// <summary>
    /// Registers agents and adds them to the broker's policy: BrokerHost's test policy declares two agents, and the
    /// broker refuses requests from agents the policy does not name. The policy file is rewritten and reloaded through
    /// the broker's own watcher, exactly as an operator's edit would be.
    /// </summary>
    private async Task<IReadOnlyList<(string Id, string Token)>> RegisterAgentsAsync(string prefix, int count)
    {
        var ids = Enumerable.Range(0, count).Select(i => $"{prefix}-{i:000}").ToList();
        var path = Path.Combine(_host.DataDirectory, "policy.yaml");
        var yaml = await File.ReadAllTextAsync(path);
        var extra = string.Concat(ids.Select(id => $"  - {{ id: {id}, owner: alice }}\n"));
        await File.WriteAllTextAsync(path, yaml.Replace("agents:\n", "agents:\n" + extra, StringComparison.Ordinal));
        var watcher = _host.App.Services.GetRequiredService<PolicyFileWatcher>();
        watcher.Reload();
        if (ids.Any(id => watcher.Current.FindAgent(id) is null))
        {
            throw new InvalidOperationException($"The broker did not accept the benchmark policy with agents {prefix}-*.");
        }

        var tokens = new List<(string, string)>();
        foreach (var id in ids)
        {
            tokens.Add((id, await _host.AgentAsync(id)));
        }

        return tokens;
    }

    private byte[] Body(bool dryRun) => JsonSerializer.SerializeToUtf8Bytes(_host.ReadInvoices("15m") with { DryRun = dryRun }, BrokerJson.Options);

    /// <summary>Per concurrency level: the targets of (a) and (b) − (c), how the overhead splits, and the host stalls.</summary>
    private IEnumerable<string> LevelSummaries()
    {
        foreach (var level in _results.Where(r => r.Name.StartsWith("(a)", StringComparison.Ordinal)).Select(r => r.Concurrency))
        {
            var dry = _results.Single(r => r.Concurrency == level && r.Name.StartsWith("(a)", StringComparison.Ordinal));
            var full = _results.Single(r => r.Concurrency == level && r.Name.StartsWith("(b)", StringComparison.Ordinal));
            var mint = _results.Single(r => r.Concurrency == level && r.Name.StartsWith("(c)", StringComparison.Ordinal));
            var overhead = full.P50Ms - mint.P50Ms;
            yield return string.Create(CultureInfo.InvariantCulture,
                $"concurrency {level}: (a) {dry.PerSecond:N0} requests/s (target ≥ 2,000: {(dry.PerSecond >= 2_000 ? "met" : "missed")}); " +
                $"broker overhead (b) − (c) at p50 = {full.P50Ms:0.00} − {mint.P50Ms:0.00} = {overhead:0.00} ms (target ≤ 2 ms: {(overhead <= 2 ? "met" : "missed")})");
            if (_results.SingleOrDefault(r => r.Concurrency == level && r.Name.StartsWith("[part] (b)", StringComparison.Ordinal)) is { } inProcess)
            {
                yield return string.Create(CultureInfo.InvariantCulture,
                    $"concurrency {level}: of that overhead, HTTP and JSON (b − in-process b) take {full.P50Ms - inProcess.P50Ms:0.00} ms and the broker's own steps (in-process b − c) {inProcess.P50Ms - mint.P50Ms:0.00} ms at p50");
            }

            var stalls = _results.Where(r => r.Concurrency == level && r.Stalls > 0).Select(r => $"{r.Stalls} in {r.Name}").ToList();
            yield return $"concurrency {level}: host stalls (single calls over {LatencySummary.StallMs:0} ms and four times their median): " +
                (stalls.Count == 0 ? "none" : string.Join("; ", stalls) + " (a disturbed run: compare it with no other)");
        }
    }

    /// <summary>
    /// Hands out grant agents, each for at most <see cref="GrantsPerAgent"/> requests, to one worker at a time: an agent
    /// asks, waits for its answer and asks again, so at 32 workers 32 different agents are asking at once, each on its
    /// own connection. (Handing an agent's four grants to four workers at once opened three more connections for it.)
    /// </summary>
    private sealed class GrantRotation(List<AgentSession> sessions)
    {
        private readonly Dictionary<int, (int Agent, int Used)> _byWorker = [];
        private int _nextAgent;

        public IReadOnlyList<AgentSession> Sessions => sessions;

        public AgentSession Next(int worker = 0)
        {
            lock (_byWorker)
            {
                if (!_byWorker.TryGetValue(worker, out var current) || current.Used == GrantsPerAgent)
                {
                    current = (_nextAgent++, 0);
                }

                _byWorker[worker] = current with { Used = current.Used + 1 };
                return current.Agent < sessions.Count ? sessions[current.Agent] : throw new InvalidOperationException("More grants than the benchmark registered agents for.");
            }
        }

        /// <summary>
        /// Untimed: makes sure the agents of the next <paramref name="grants"/> grants still have their connection. An
        /// agent keeps its connection for its whole task, but both ends close one left idle (the client after a minute,
        /// Kestrel after 130 s), and agents wait their turn for minutes here: without this, 262 of 600 measured grants
        /// at one agent opened a new connection.
        /// </summary>
        public async Task KeepNextConnectedAsync(int grants)
        {
            List<int> next;
            lock (_byWorker)
            {
                next = [.. _byWorker.Values.Where(c => c.Used < GrantsPerAgent).Select(c => c.Agent), .. Enumerable.Range(_nextAgent, (grants + GrantsPerAgent - 1) / GrantsPerAgent)];
            }

            foreach (var index in next.Where(i => i < sessions.Count))
            {
                await sessions[index].KeepConnectedAsync();
            }
        }
    }

    /// <summary>One agent's HTTP connection with its bearer and task tokens, sending pre-serialised bodies.</summary>
    private sealed class AgentSession : IDisposable
    {
        // Well inside both ends' idle limits (the client's one minute, Kestrel's 130 s).
        private static readonly TimeSpan IdleBeforeKeepAlive = TimeSpan.FromSeconds(30);
        private static int _connectionsOpened;
        private readonly HttpClient _http;
        private long _lastUsed;

        public AgentSession(string id, string taskId, Uri address, string token, string taskToken)
        {
            Id = id;
            TaskId = taskId;
            Token = token;
            TaskToken = taskToken;
            var handler = new SocketsHttpHandler
            {
                ConnectCallback = async (context, cancellationToken) =>
                {
                    Interlocked.Increment(ref _connectionsOpened);
                    var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                    try
                    {
                        await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                        return new NetworkStream(socket, ownsSocket: true);
                    }
                    catch
                    {
                        socket.Dispose();
                        throw;
                    }
                },
            };
            _http = new HttpClient(handler) { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            _http.DefaultRequestHeaders.Add(BrokerClient.TaskTokenHeader, taskToken);
        }

        /// <summary>TCP connections every agent session has opened so far (the same as the default connect, counted).</summary>
        public static int ConnectionsOpened => Volatile.Read(ref _connectionsOpened);

        public string Id { get; }

        public string TaskId { get; }

        /// <summary>Secret: used for the in-process path only, never printed.</summary>
        public string Token { get; }

        /// <summary>Secret: used for the in-process path only, never printed.</summary>
        public string TaskToken { get; }

        /// <summary>Submits a request and checks its outcome. Never prints a granted response: it holds a password.</summary>
        public async Task SubmitAsync(byte[] body, string expectedOutcome)
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = Json;
            using var response = await _http.PostAsync("v1/requests", content);
            _lastUsed = Stopwatch.GetTimestamp();
            var bytes = await response.Content.ReadAsByteArrayAsync();
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"The broker answered {(int)response.StatusCode}: {Encoding.UTF8.GetString(bytes)}");
            }

            using var document = JsonDocument.Parse(bytes);
            var root = document.RootElement;
            var outcome = root.GetProperty("outcome").GetString();
            if (outcome != expectedOutcome)
            {
                var factors = root.GetProperty("request").GetProperty("assessment") is { ValueKind: JsonValueKind.Object } assessment
                    ? string.Join(", ", assessment.GetProperty("factors").EnumerateArray().Select(f => $"{f.GetProperty("code")} {f.GetProperty("points")}"))
                    : "none";
                throw new InvalidOperationException(
                    $"Expected outcome '{expectedOutcome}' but got '{outcome}' for agent {Id} ({root.GetProperty("message")}; factors: {factors}).");
            }
        }

        public async Task HealthAsync()
        {
            using var response = await _http.GetAsync("healthz");
            _lastUsed = Stopwatch.GetTimestamp();
            response.EnsureSuccessStatusCode();
            _ = await response.Content.ReadAsByteArrayAsync();
        }

        public Task KeepConnectedAsync() =>
            Stopwatch.GetElapsedTime(_lastUsed) < IdleBeforeKeepAlive ? Task.CompletedTask : HealthAsync();

        public void Dispose() => _http.Dispose();
    }
}
