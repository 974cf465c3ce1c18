using AgentAccessBroker.Server.Hosting;
using AgentAccessBroker.Testing;
using AgentAccessBroker.Testing.Broker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AgentAccessBroker.Server.Tests;

/// <summary>What the broker leaves readable on disk, and what agent text can do to an approver's terminal.</summary>
[Collection(PostgresCollection.Name)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ExposureTests(PostgresFixture postgres)
{
    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerOnlyDirectory = OwnerOnlyFile | UnixFileMode.UserExecute;

    [Fact]
    public async Task Serve_FreshDataDirectory_DirectoryIs0700AndEveryFile0600()
    {
        var parent = Directory.CreateTempSubdirectory("aab-perm-").FullName;
        try
        {
            var data = Path.Combine(parent, "data");
            var policy = Path.Combine(parent, "policy.yaml");
            await File.WriteAllTextAsync(policy, TestPolicy.Yaml(postgres.Cluster.Port, "aab_broker_unused", "unused"));
            var app = await BrokerServer.BuildAsync(new BrokerServerOptions
            {
                DataDirectory = data,
                PolicyPath = policy,
                Urls = "http://127.0.0.1:0",
                FileLogging = true,
                ConsoleLogLevel = Serilog.Events.LogEventLevel.Fatal,
            });
            await app.StartAsync();
            _ = app.Services.GetRequiredService<AgentAccessBroker.Server.Audit.AuditSigningKey>();
            app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("test").LogWarning("a line for the log file");
            await app.StopAsync();
            await app.DisposeAsync();

            var files = Directory.EnumerateFiles(data, "*", SearchOption.AllDirectories).ToList();
            Assert.Equal(OwnerOnlyDirectory, File.GetUnixFileMode(data));
            Assert.Equal(OwnerOnlyDirectory, File.GetUnixFileMode(Path.Combine(data, "logs")));
            Assert.Contains(files, f => Path.GetFileName(f) == "broker.db");
            Assert.Contains(files, f => Path.GetFileName(f) == "scheduler.db");
            Assert.Contains(files, f => Path.GetFileName(f) == "audit-signing.key");
            Assert.Contains(files, f => Path.GetFileName(f) == "admin.token");
            Assert.True(files.Any(f => f.Contains("/logs/", StringComparison.Ordinal)), string.Join(", ", files));
            Assert.All(files, f => Assert.True(File.GetUnixFileMode(f) == OwnerOnlyFile, $"{f} is {File.GetUnixFileMode(f)}"));
        }
        finally
        {
            Directory.Delete(parent, recursive: true);
        }
    }

    [Fact]
    public async Task Serve_ExistingLooseDataDirectory_IsTightenedAtStart()
    {
        var parent = Directory.CreateTempSubdirectory("aab-perm-").FullName;
        try
        {
            var data = Path.Combine(parent, "data");
            Directory.CreateDirectory(data);
            File.SetUnixFileMode(data, OwnerOnlyDirectory | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
            await File.WriteAllTextAsync(Path.Combine(data, "admin.token"), "aabu_old");
            File.SetUnixFileMode(Path.Combine(data, "admin.token"), OwnerOnlyFile | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            var policy = Path.Combine(parent, "policy.yaml");
            await File.WriteAllTextAsync(policy, TestPolicy.Yaml(postgres.Cluster.Port, "aab_broker_unused", "unused"));

            var app = await BrokerServer.BuildAsync(new BrokerServerOptions { DataDirectory = data, PolicyPath = policy, Urls = "http://127.0.0.1:0", FileLogging = false });
            await app.DisposeAsync();

            Assert.Equal(OwnerOnlyDirectory, File.GetUnixFileMode(data));
            Assert.Equal(OwnerOnlyFile, File.GetUnixFileMode(Path.Combine(data, "admin.token")));
        }
        finally
        {
            Directory.Delete(parent, recursive: true);
        }
    }

    [Fact]
    public async Task RequestsCommand_PurposeWithEscapeSequences_ReachesTheTerminalDefused()
    {
        await using var host = await BrokerHost.StartAsync(postgres);
        var (agent, _) = await host.AgentWithTaskAsync("agent-a");
        const string Hostile = "read \u001b[2J\u001b[Hinvoices \u001b]8;;https://evil.example/\u0007link\u001b]8;;\u0007 \u202Edesrever\u202C \u009b31m";
        await agent.SubmitRequestAsync(host.ReadInvoices() with { Purpose = Hostile }, CancellationToken.None);
        var token = (await File.ReadAllTextAsync(Path.Combine(host.DataDirectory, "admin.token"))).Trim();

        var (exit, stdout, stderr) = await AabCli.RunAsync("requests", "--server", host.Address.ToString(), "--token", token);

        Assert.True(exit == 0, stderr);
        Assert.DoesNotContain('\u001b', stdout);
        Assert.DoesNotContain('\u0007', stdout);
        Assert.DoesNotContain('\u009b', stdout);
        Assert.DoesNotContain('\u202E', stdout);
        Assert.Contains("\u241B[2J", stdout, StringComparison.Ordinal);
    }
}
