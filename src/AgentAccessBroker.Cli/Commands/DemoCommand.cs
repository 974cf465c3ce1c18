using System.CommandLine;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using AgentAccessBroker.Cli.QuickStart;
using AgentAccessBroker.Client;
using AgentAccessBroker.LocalPostgres;
using AgentAccessBroker.Server.Audit;
using AgentAccessBroker.Server.Hosting;
using Npgsql;

namespace AgentAccessBroker.Cli.Commands;

/// <summary>
/// <c>aab demo</c>: one full cycle on a real PostgreSQL. A throwaway cluster and a broker (SQLite store, example policy)
/// start locally; a human starts a task; the agent asks for read access, gets a real login, uses it; a riskier request
/// is refused with reasons; the task completes and the login provably stops working; the audit trail verifies.
/// </summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var policy = new Option<string>("--policy") { Description = "Policy to run with", DefaultValueFactory = _ => "infra/policy/example-policy.yaml" };
        var keep = new Option<bool>("--keep") { Description = "Keep the demo's data directory (store, audit export, logs)" };
        var command = new Command("demo", "Run the whole cycle against a throwaway local PostgreSQL.") { policy, keep };
        command.SetAction(async (result, cancellationToken) => await RunAsync(result.GetValue(policy)!, result.GetValue(keep), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(string policyPath, bool keep, CancellationToken cancellationToken)
    {
        if (!File.Exists(policyPath))
        {
            throw new CliException($"policy file not found: {policyPath} (run the demo from the repository root)");
        }

        var data = Path.Combine(Path.GetTempPath(), "aab-demo-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4)));
        Step("1", "Starting a throwaway PostgreSQL (Debian's 'postgresql' package) on 127.0.0.1");
        await using var postgres = await LocalPostgresCluster.StartAsync(cancellationToken);
        var brokerPassword = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        await DemoDatabase.PrepareAsync(postgres, brokerPassword, cancellationToken);
        Output.Line($"   cluster on port {postgres.Port}; database '{DemoDatabase.Name}' with tables public.invoices and hr.salaries; broker login '{DemoDatabase.BrokerRole}' (CREATEROLE, grant options only)");

        // The example policy names the database at 127.0.0.1:5432; point it at the throwaway cluster instead.
        Directory.CreateDirectory(data);
        var demoPolicy = Path.Combine(data, "policy.yaml");
        await File.WriteAllTextAsync(demoPolicy, (await File.ReadAllTextAsync(policyPath, cancellationToken)).Replace("port: 5432", $"port: {postgres.Port}", StringComparison.Ordinal), cancellationToken);
        Environment.SetEnvironmentVariable("AAB_DEMO_PG_PASSWORD", brokerPassword);

        var url = $"http://127.0.0.1:{FreePort()}";
        Step("2", $"Starting the broker at {url} (SQLite store in {data})");
        await using var app = await BrokerServer.BuildAsync(new BrokerServerOptions { DataDirectory = data, PolicyPath = demoPolicy, Urls = url, FileLogging = true, ConsoleLogLevel = Serilog.Events.LogEventLevel.Warning }, cancellationToken: cancellationToken);
        await app.StartAsync(cancellationToken);
        try
        {
            await CycleAsync(new Uri(url + "/"), data, postgres, cancellationToken);
        }
        finally
        {
            await app.StopAsync(CancellationToken.None);
        }

        if (!keep)
        {
            Directory.Delete(data, recursive: true);
        }

        Output.Styled("green", "Demo complete: request -> decision -> real credential used -> task completed -> credential dead -> audit verified.");
        return 0;
    }

    private static async Task CycleAsync(Uri broker, string data, LocalPostgresCluster postgres, CancellationToken cancellationToken)
    {
        using var admin = new BrokerClient(broker, (await File.ReadAllTextAsync(Path.Combine(data, "admin.token"), cancellationToken)).Trim());
        var agent = await admin.RegisterAgentAsync(new RegisterAgentBody("billing-bot", "alice"), cancellationToken);
        Step("3", "A human starts a task for agent 'billing-bot'");
        var task = await admin.StartTaskAsync(new StartTaskBody("billing-bot", "Fix the failing billing export: invoices are missing totals", ["app-db", "invoices"], "dev", null), cancellationToken);
        Output.Line($"   task {task.Task.Id}; the agent gets an agent token and this task token, never standing credentials");

        using var bot = new BrokerClient(broker, agent.Token, task.TaskToken);
        Step("4", "The agent asks to read app.public.invoices for 15 minutes");
        var read = await bot.SubmitRequestAsync(new AccessRequestBody("app-db", ["app.public.invoices"], ["SELECT"],
            "Read invoices to find why the billing export drops totals", "15m"), cancellationToken);
        Show(read);
        if (read.Outcome != "granted" || read.Credential is null)
        {
            throw new CliException($"expected an automatic grant, got {read.Outcome}: {read.Message}");
        }

        var connection = read.Credential.Forms["connection_string"];
        var count = await QueryAsync(connection, "SELECT count(*) FROM public.invoices", cancellationToken);
        Step("5", $"The agent uses its credential: SELECT count(*) FROM public.invoices -> {count}");

        Step("6", "The agent then asks to DELETE from hr.salaries (sensitive, tagged pii, outside its task): the broker decides and explains");
        Show(await bot.SubmitRequestAsync(new AccessRequestBody("app-db", ["app.hr.salaries"], ["DELETE"], "clean up old rows", "1h"), cancellationToken));

        Step("7", "The human completes the task: everything issued under it is revoked and verified");
        var done = await admin.CompleteTaskAsync(task.Task.Id, cancellationToken);
        Output.Line($"   {done.LeasesRevoked} lease(s) revoked; lease state now: {(await admin.ListLeasesAsync(task.Task.Id, null, cancellationToken)).Single().State}");
        try
        {
            await QueryAsync(connection, "SELECT 1", cancellationToken);
            throw new CliException("the credential still works after the task completed");
        }
        catch (PostgresException refused)
        {
            Step("8", $"The same credential no longer works: PostgreSQL says {refused.SqlState} {refused.MessageText}");
        }

        var export = Path.Combine(data, "audit.jsonl");
        await using (var file = File.Create(export))
        {
            await admin.ExportAuditAsync(null, null, null, null, "jsonl", file, cancellationToken);
        }

        var verification = AuditVerifier.VerifyFile(export);
        Step("9", $"Audit trail exported ({verification.Events} events, hash-chained, signed) and verified: {(verification.Valid ? "OK" : string.Join("; ", verification.Problems))}");
        if (!verification.Valid)
        {
            throw new CliException("the audit export did not verify");
        }
    }

    private static async Task<object?> QueryAsync(string connectionString, string sql, CancellationToken cancellationToken)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, Timeout = 10 };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync(cancellationToken);
    }

    private static void Show(RequestOutcomeView outcome)
    {
        var assessment = outcome.Request.Assessment;
        Output.Line($"   -> {outcome.Outcome} (score {assessment?.Score}): {outcome.Message}");
        foreach (var factor in assessment?.Factors ?? [])
        {
            Output.Line($"      {(factor.Points >= 0 ? "+" : string.Empty)}{factor.Points,3}  {factor.Explanation}");
        }

        if (assessment?.NarrowerRequest is { } narrower)
        {
            Output.Line($"      narrower request that would pass: {string.Join(" ", narrower.Actions)} on {string.Join(" ", narrower.Resources)} for {narrower.Duration}");
        }

        if (outcome.Credential is { } credential)
        {
            Output.Line($"      credential: {credential.Kind}, variables {string.Join(", ", credential.EnvironmentVariables.Keys)} (values not shown here)");
        }
    }

    private static void Step(string number, string text) => Output.Styled("bold", $"[{number}] {text}");

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
