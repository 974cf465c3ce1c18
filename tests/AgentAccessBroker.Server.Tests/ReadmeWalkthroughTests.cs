using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AgentAccessBroker.Client;

namespace AgentAccessBroker.Server.Tests;

/// <summary>
/// The README's "Running a broker" section, run literally (see <see cref="ReadmeWalkthrough"/>), and what a newcomer
/// sees on the way: the serve output, listings that fit a terminal and parse as the API, errors that say what went wrong.
/// </summary>
public sealed partial class ReadmeWalkthroughTests(ReadmeWalkthrough readme) : IClassFixture<ReadmeWalkthrough>
{
    private static readonly IReadOnlyDictionary<string, string?> NoExtra = new Dictionary<string, string?>();

    [Fact]
    public void RunningABroker_EveryCommandAsWritten_ExitsZeroAndTheAuditVerifies()
    {
        Assert.True(readme.Blocks.Count >= 3, "install, serve and walkthrough blocks");
        Assert.True(readme.Install.Exit == 0, "install block: " + readme.Install);
        Assert.True(readme.ServeOutput.Contains("broker listening on", StringComparison.Ordinal), "aab serve never listened:\n" + readme.ServeOutput + readme.ServeErrors);
        Assert.True(readme.Commands.Count >= 15, "walkthrough: " + readme.Walkthrough);

        foreach (var (command, status) in readme.Commands)
        {
            Assert.True(status == 0, $"'{command}' exited {status}\n{readme.Walkthrough}\n--- serve\n{readme.ServeErrors}");
        }

        Assert.Matches(@"OK: \d+ events verified", readme.Walkthrough.Stdout);
        Assert.Contains("refused: the credential is dead", readme.Walkthrough.Stdout, StringComparison.Ordinal);
        Assert.Contains("(1 row)", readme.Walkthrough.Stdout, StringComparison.Ordinal);
        Assert.Contains("Duration capped: 1d was asked", readme.Walkthrough.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Serve_QuickStart_SaysWhatItMadeAndWhereItListensWithoutStackTraces()
    {
        Assert.Contains("quick start", readme.ServeOutput, StringComparison.Ordinal);
        Assert.Contains("database 'app' (tables public.invoices, hr.salaries)", readme.ServeOutput, StringComparison.Ordinal);
        Assert.Contains($"broker listening on {readme.Server}", readme.ServeOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", readme.ServeErrors, StringComparison.Ordinal);
        Assert.DoesNotContain("DataProtection", readme.ServeErrors, StringComparison.Ordinal);
        Assert.DoesNotContain("aab: warning", readme.ServeErrors, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"\d\d/\d\d/\d{4}", readme.ServeErrors);
    }

    [Theory]
    [InlineData("v1/leases", "leases")]
    [InlineData("v1/requests", "requests")]
    [InlineData("v1/tasks", "task", "list")]
    [InlineData("v1/targets", "targets")]
    public async Task Listing_Json_IsTheApisJson(string path, params string[] command)
    {
        var cli = await readme.AabAsync(NoExtra, [.. command, "--json"]);
        Assert.True(cli.Exit == 0, cli.ToString());

        using var http = new HttpClient { BaseAddress = new Uri(readme.Server + "/") };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken());
        var api = JsonNode.Parse(await http.GetStringAsync(path))!.AsArray();
        var printed = JsonNode.Parse(cli.Stdout)!.AsArray();

        Assert.NotEmpty(api);
        Assert.True(JsonNode.DeepEquals(WithoutClock(api), WithoutClock(printed)), $"API:\n{api}\nCLI:\n{printed}");
        Assert.NotNull(path switch
        {
            "v1/leases" => (object?)JsonSerializer.Deserialize<List<LeaseView>>(cli.Stdout, BrokerJson.Options),
            "v1/requests" => JsonSerializer.Deserialize<List<RequestView>>(cli.Stdout, BrokerJson.Options),
            "v1/tasks" => JsonSerializer.Deserialize<List<TaskView>>(cli.Stdout, BrokerJson.Options),
            _ => JsonSerializer.Deserialize<List<TargetView>>(cli.Stdout, BrokerJson.Options),
        });
    }

    [Theory]
    [InlineData("leases")]
    [InlineData("requests")]
    [InlineData("task", "list")]
    public async Task Listing_PipedWithoutColumns_FitsIn80ColumnsWithEveryIdWhole(params string[] command)
    {
        var ids = (await readme.AabAsync(NoExtra, [.. command, "-q"])).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var table = await readme.AabAsync(NoExtra, command);

        Assert.True(table.Exit == 0, table.ToString());
        Assert.NotEmpty(ids);
        var lines = table.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.All(lines, line => Assert.True(line.Length <= 80, $"{line.Length} columns: {line}"));
        Assert.All(ids, id => Assert.Contains(lines, line => line.StartsWith(id + " ", StringComparison.Ordinal)));
        Assert.DoesNotMatch(@"\d\d/\d\d/\d{4}", table.Stdout);
    }

    [Fact]
    public async Task Listing_ColumnsSetWide_UsesTheWidthAndShowsIsoTimes()
    {
        var table = await readme.AabAsync(new Dictionary<string, string?> { ["COLUMNS"] = "250" }, "requests");

        Assert.True(table.Exit == 0, table.ToString());
        Assert.Contains(table.Stdout.Split('\n'), line => line.Length > 80);
        Assert.Matches(@"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", table.Stdout);
    }

    [Fact]
    public async Task Request_TaskTokenInAabToken_SaysItIsATaskTokenAndWhereItBelongs()
    {
        var taskToken = await NewTaskTokenAsync();

        var run = await readme.AabAsync(new Dictionary<string, string?> { ["AAB_TOKEN"] = taskToken, ["AAB_TASK_TOKEN"] = taskToken },
            "request", "--target", "app-db", "--resource", "app.public.invoices", "--action", "SELECT", "--purpose", "read invoices");

        Assert.Equal(1, run.Exit);
        var line = Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("AAB_TOKEN holds a task token (aabt_…), which belongs in AAB_TASK_TOKEN", line, StringComparison.Ordinal);
        Assert.DoesNotContain(taskToken, run.Stdout + run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Claim_PersonsTokenInAabTaskToken_SaysWhatTheTaskTokenMustBe()
    {
        var person = await NewPersonTokenAsync("erin");

        var run = await readme.AabAsync(new Dictionary<string, string?> { ["AAB_TOKEN"] = person, ["AAB_TASK_TOKEN"] = person }, "claim", "req_x");

        Assert.Equal(1, run.Exit);
        Assert.Contains("AAB_TASK_TOKEN holds a user token; it must hold the task token (aabt_…)", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Claim_NoAabToken_RefusesToFallBackToTheAdminToken()
    {
        var run = await readme.AabAsync(NoExtra, "claim", "req_x");

        Assert.Equal(1, run.Exit);
        Assert.Contains("No agent token: set AAB_TOKEN to the agent's token", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Leases_UnknownToken_SaysWhichTokenFromWhereWasRefused()
    {
        var run = await readme.AabAsync(new Dictionary<string, string?> { ["AAB_TOKEN"] = "aabu_not-a-real-token" }, "leases");

        Assert.Equal(1, run.Exit);
        var line = Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("the broker does not accept the user token from AAB_TOKEN", line, StringComparison.Ordinal);
        Assert.Contains("does not know this token", line, StringComparison.Ordinal);
        Assert.DoesNotContain("Authorization", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UserAdd_ApproversToken_IsForbiddenNamingTheCallerAndTheTokensSource()
    {
        var approver = await NewPersonTokenAsync("frank");

        var run = await readme.AabAsync(new Dictionary<string, string?> { ["AAB_TOKEN"] = approver }, "user", "add", "gina", "--role", "approver");

        Assert.Equal(1, run.Exit);
        Assert.Contains("'frank' (role approver) may not do this.", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("The CLI used the user token from AAB_TOKEN", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Claim_AdminTokenFromFlag_IsForbiddenNamingTheFlag()
    {
        var forbidden = await readme.AabAsync(NoExtra, "claim", "req_x", "--token", AdminToken());
        Assert.Contains("'admin' (role admin, auditor) may not do this. The CLI used the user token from --token", forbidden.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Api_TaskTokenAsBearer_IsNamedAsSuch()
    {
        var taskToken = await NewTaskTokenAsync();
        using var http = new HttpClient { BaseAddress = new Uri(readme.Server + "/") };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", taskToken);

        using var response = await http.GetAsync("v1/leases");
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(401, (int)response.StatusCode);
        Assert.Equal("task_token_as_bearer", problem["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task Serve_PortInUse_FailsWithOneLineNamingUrls()
    {
        var run = await readme.AabAsync(NoExtra, "serve", "--urls", readme.Server, "--data", Path.Combine(readme.Clone, "second"));

        Assert.Equal(2, run.Exit);
        var line = Assert.Single((run.Stdout + run.Stderr).Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains($"{readme.Server} is already in use", line, StringComparison.Ordinal);
        Assert.Contains("--urls", line, StringComparison.Ordinal);
    }

    private static JsonArray WithoutClock(JsonArray items)
    {
        // seconds_left is computed at each call; everything else must be identical.
        var copy = items.DeepClone().AsArray();
        foreach (var item in copy.OfType<JsonObject>())
        {
            item.Remove("seconds_left");
        }

        return copy;
    }

    private string AdminToken() => File.ReadAllText(Path.Combine(readme.Clone, ".aab", "admin.token")).Trim();

    private async Task<string> NewTaskTokenAsync()
    {
        var run = await readme.AabAsync(NoExtra, "task", "start", "--agent", "billing-bot", "--description", "a second task", "--format", "env");
        Assert.True(run.Exit == 0, run.ToString());
        return TaskTokenLine().Match(run.Stdout).Groups["token"].Value;
    }

    private async Task<string> NewPersonTokenAsync(string id)
    {
        var run = await readme.AabAsync(NoExtra, "user", "add", id, "--role", "approver", "-q");
        Assert.True(run.Exit == 0, run.ToString());
        return run.Stdout.Trim();
    }

    [GeneratedRegex("AAB_TASK_TOKEN='(?<token>[^']+)'")]
    private static partial Regex TaskTokenLine();
}
