using AgentAccessBroker.Credentials;
using AgentAccessBroker.Server.Hosting;
using Microsoft.Extensions.Configuration;

namespace AgentAccessBroker.Server.Tests;

/// <summary>One configuration model: sources and their order, the older variable names, binding and start-up checks.</summary>
public sealed class BrokerConfigurationTests
{
    private static IConfigurationRoot Build(Dictionary<string, string?> environment, params string[] commandLine) =>
        BrokerConfiguration.Build(environment, commandLine);

    [Fact]
    public void Build_OlderVariableNames_MapOntoTheirKeysAndSecretsStayOut()
    {
        var configuration = Build(new()
        {
            ["AAB_URLS"] = "http://127.0.0.1:9001",
            ["AAB_SLACK_BOT_TOKEN"] = "xoxb-not-for-configuration",
            ["AAB_SLACK_MODE"] = "socket",
            ["AAB_SIEM_TOKEN_ENV"] = "SIEM_TOKEN",
            ["AAB_REVIEW_API_KEY_ENV"] = "REVIEW_KEY",
            ["AAB_STORE_CONNECTION"] = "Host=db;Password=not-for-configuration",
        });

        Assert.Equal("http://127.0.0.1:9001", configuration["Broker:Urls"]);
        Assert.Equal("true", configuration["Channels:Slack:Enabled"]);
        Assert.Equal("SocketMode", configuration["Channels:Slack:Mode"]);
        Assert.Equal("env:SIEM_TOKEN", configuration["Broker:Siem:Token"]);
        Assert.Equal("env:REVIEW_KEY", configuration["Broker:ReviewApiKey"]);
        Assert.DoesNotContain(configuration.AsEnumerable(), e => e.Value?.Contains("not-for-configuration", StringComparison.Ordinal) == true);
    }

    [Fact]
    public void Build_EverySource_LaterOnesWin()
    {
        var data = Directory.CreateTempSubdirectory("aab-config-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(data, BrokerConfiguration.FileName), """
                { "Broker": { "RequestsPerMinute": 10, "Urls": "http://127.0.0.1:1", "Store": "postgres", "FileLogging": false } }
                """);
            var configuration = BrokerConfiguration.Build(
                new Dictionary<string, string?>
                {
                    ["AAB_DATA"] = data,
                    ["AAB_URLS"] = "http://127.0.0.1:2",
                    ["AAB_Broker__Urls"] = "http://127.0.0.1:3",
                    ["AAB_Broker__RequestsPerMinute"] = "20",
                },
                ["--Broker:RequestsPerMinute=30"],
                new Dictionary<string, string?> { ["Broker:Store"] = "sqlite" });

            var problems = new List<string>();
            var options = BrokerServerOptions.FromConfiguration(configuration, problems);

            Assert.Empty(problems);
            Assert.Equal(30, options.RequestsPerMinute);        // command line over environment over file
            Assert.Equal("http://127.0.0.1:3", options.Urls);   // AAB_Broker__Urls over its older name AAB_URLS
            Assert.Equal("sqlite", options.Store);              // a flag over the file
            Assert.False(options.FileLogging);                  // the data directory's appsettings.json
            Assert.Equal(data, options.DataDirectory);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public void FromConfiguration_NestedSectionsAndReferences_BindOverDefaults()
    {
        var configuration = Build(new()
        {
            ["AAB_Broker__Console__OidcClaim"] = "oid",
            ["AAB_Broker__Siem__Endpoint"] = "https://siem.example/collect",
            ["AAB_Broker__Siem__Token"] = "file:/run/secrets/siem",
            ["AAB_Broker__StoreConnectionRef"] = "env:PG_STORE",
            ["AAB_Broker__KeepAliveTimeout"] = "00:01:00",
        });

        var problems = new List<string>();
        var options = BrokerServerOptions.FromConfiguration(configuration, problems);

        Assert.Empty(problems);
        Assert.Equal("oid", options.Console.OidcClaim);
        Assert.True(options.Console.Enabled);   // untouched defaults of a partly written section survive
        Assert.Equal(new Uri("https://siem.example/collect"), options.Siem!.Endpoint);
        Assert.Equal(new SecretReference(SecretSource.File, "/run/secrets/siem"), options.Siem.Token);
        Assert.Equal(new SecretReference(SecretSource.Environment, "PG_STORE"), options.StoreConnectionRef);
        Assert.Equal(TimeSpan.FromMinutes(1), options.KeepAliveTimeout);
    }

    [Fact]
    public void FromConfiguration_SeveralBadKeys_ReportsEachWithItsKeyAndNeverASecretValue()
    {
        var configuration = Build(
            new() { ["AAB_Broker__SweepInterval"] = "soon", ["AAB_Broker__Console__OidcClientSecret"] = "hunter2" },
            "--Broker:MaxRequestBodyByte=1", "--Broker:StoreConnectionRef=Host=db;Password=hunter2");

        var problems = new List<string>();
        BrokerServerOptions.FromConfiguration(configuration, problems);

        Assert.Equal(4, problems.Count);
        Assert.Contains(problems, p => p.StartsWith("Broker:SweepInterval:", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Broker:MaxRequestBodyByte: unknown key", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Broker:Console:OidcClientSecret: is a secret", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Broker:StoreConnectionRef:", StringComparison.Ordinal) && p.Contains("by reference", StringComparison.Ordinal));
        Assert.DoesNotContain(problems, p => p.Contains("hunter2", StringComparison.Ordinal));
    }

    [Fact]
    public void FromConfiguration_RevocationRecheckInterval_BindsAndIsChecked()
    {
        var problems = new List<string>();
        var options = BrokerServerOptions.FromConfiguration(Build(new() { ["AAB_Broker__RevocationRecheckInterval"] = "00:02:00" }), problems);

        Assert.Empty(problems);
        Assert.Equal(TimeSpan.FromMinutes(2), options.RevocationRecheckInterval);
        Assert.Equal(TimeSpan.FromMinutes(5), new BrokerServerOptions { DataDirectory = "/tmp/aab", PolicyPath = string.Empty }.RevocationRecheckInterval);
        Assert.Contains(
            (options with { RevocationRecheckInterval = TimeSpan.FromSeconds(1) }).Validate(policyRequired: false),
            p => p.StartsWith("Broker:RevocationRecheckInterval:", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_RemoteMcpAuthorityNotAUrlAndEmptyScope_ReportsBoth()
    {
        var options = new BrokerServerOptions { DataDirectory = "/tmp/aab", PolicyPath = string.Empty, Mcp = new RemoteMcpOptions { Authority = "login.example.com", Scope = " " } };

        var problems = options.Validate(policyRequired: false);

        Assert.Contains(problems, p => p.StartsWith("Broker:Mcp:Authority:", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Broker:Mcp:Scope:", StringComparison.Ordinal));
    }

    [Fact]
    public void CheckConfiguration_HostAndChannelProblems_OneExceptionListingAll()
    {
        var configuration = Build(new()
        {
            ["AAB_Channels__Slack__Enabled"] = "true",
            ["AAB_Channels__Slack__BotTokenRef"] = "env:AAB_TEST_NO_SUCH_VARIABLE",
            ["AAB_Channels__Slack__ShorterDuration"] = "-00:05:00",
            ["AAB_Channels__Slack__AppToken"] = "xapp-hunter2",
        });
        var options = new BrokerServerOptions { DataDirectory = Path.GetTempPath(), PolicyPath = "/no/such/policy.yaml", Store = "mysql", RequestsPerMinute = 0 };

        var error = Assert.Throws<BrokerStartupException>(() => BrokerServer.CheckConfiguration(options, configuration));

        var lines = error.Message.Split('\n');
        Assert.StartsWith("The broker's configuration has", lines[0], StringComparison.Ordinal);
        foreach (var key in new[] { "Broker:PolicyPath:", "Broker:Store:", "Broker:RequestsPerMinute:", "Channels:Slack:BotToken:", "Channels:Slack:ShorterDuration:", "Channels:Slack:AppToken: is a secret" })
        {
            Assert.Contains(lines, l => l.StartsWith(key, StringComparison.Ordinal));
        }

        Assert.DoesNotContain("hunter2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckConfiguration_SlackOffAndGoodOptions_Passes()
    {
        var policy = Path.Combine(CliTests.RepositoryRoot, "infra/policy/example-policy.yaml");
        var options = new BrokerServerOptions { DataDirectory = Path.GetTempPath(), PolicyPath = policy };

        BrokerServer.CheckConfiguration(options, Build(new() { ["AAB_Channels__Slack__Enabled"] = "false" }));
    }
}
