namespace AgentAccessBroker.Server.Tests;

/// <summary>The real <c>aab</c> executable, as a user runs it.</summary>
public sealed class CliTests
{
    internal static readonly string RepositoryRoot = FindRepositoryRoot();

    [Fact]
    public async Task PolicyCheck_BadPolicyWithThreeMistakes_ReportsAllThreeWithLinesAndFails()
    {
        var (exit, stdout, stderr) = await AabCli.RunInAsync(RepositoryRoot, "policy", "check", Path.Combine(RepositoryRoot, "infra/policy/bad-policy-example.yaml"));

        Assert.Equal(1, exit);
        Assert.Contains("bad-policy-example.yaml:13:5: error unknown_key", stderr, StringComparison.Ordinal);
        Assert.Contains("bad-policy-example.yaml:31:16: error unknown_approver_group", stderr, StringComparison.Ordinal);
        Assert.Contains("bad-policy-example.yaml:37:7: error inline_secret", stderr, StringComparison.Ordinal);
        Assert.Contains("aab: 3 problem(s)", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", stderr + stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PolicyCheck_ExamplePolicy_PassesWithTheRealConnectors()
    {
        var (exit, stdout, stderr) = await AabCli.RunInAsync(RepositoryRoot, "policy", "check", Path.Combine(RepositoryRoot, "infra/policy/example-policy.yaml"));

        Assert.True(exit == 0, stderr);
        Assert.Contains("OK:", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Simulate_ScenarioSuiteWithExpect_MeetsTheRequiredResults()
    {
        var scenarios = Path.Combine(RepositoryRoot, "tests/AgentAccessBroker.IntentAnalysis.Tests/Scenarios");
        var (exit, stdout, stderr) = await AabCli.RunInAsync(RepositoryRoot, "simulate", "--policy", Path.Combine(scenarios, "scenario-policy.yaml"), Path.Combine(scenarios, "scenarios.jsonl"), "--expect");

        Assert.True(exit == 0, stderr + stdout[^Math.Min(2000, stdout.Length)..]);
        Assert.Contains("Confusion matrix", stdout, StringComparison.Ordinal);
        Assert.Contains("RESULT: PASS", stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("audit", "verify", "/no/such/export.jsonl")]
    [InlineData("policy", "check", "/no/such/policy.yaml")]
    public async Task Command_MissingFile_ExitsNonZeroWithOneLineReason(params string[] arguments)
    {
        var (exit, _, stderr) = await AabCli.RunInAsync(RepositoryRoot, arguments);

        Assert.NotEqual(0, exit);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("aab: ", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TaskList_BrokerUnreachable_ExitsNonZeroWithOneLineReason()
    {
        var (exit, _, stderr) = await AabCli.RunInAsync(RepositoryRoot, "task", "list", "--server", "http://127.0.0.1:9", "--token", "aabu_x");

        Assert.Equal(3, exit);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("(broker_unreachable)", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_SeveralConfigurationProblems_ExitsTwoListingEveryOneBeforeStarting()
    {
        var data = Directory.CreateTempSubdirectory("aab-config-").FullName;
        try
        {
            var (exit, _, stderr) = await AabCli.RunInAsync(
                RepositoryRoot,
                "serve", "--policy", Path.Combine(RepositoryRoot, "infra/policy/example-policy.yaml"), "--data", data,
                "--Broker:RequestsPerMinute=0", "--Broker:SweepInterval=soon", "--Broker:RequestPerMinute=5",
                "--Channels:Slack:Enabled=true", "--Channels:Slack:BotTokenRef=env:AAB_TEST_NO_SUCH_VARIABLE", "--Channels:Slack:SigningSecret=hunter2");

            Assert.Equal(2, exit);
            Assert.Contains("The broker's configuration has", stderr, StringComparison.Ordinal);
            foreach (var key in new[] { "Broker:RequestsPerMinute:", "Broker:SweepInterval:", "Broker:RequestPerMinute: unknown key", "Channels:Slack:BotToken:", "Channels:Slack:SigningSecret: is a secret" })
            {
                Assert.Contains(key, stderr, StringComparison.Ordinal);
            }

            Assert.DoesNotContain("hunter2", stderr, StringComparison.Ordinal);
            Assert.False(File.Exists(Path.Combine(data, "broker.db")), "nothing is created before the configuration is checked");
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    private static string FindRepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "AgentAccessBroker.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Run the tests from inside the repository.");
    }
}
